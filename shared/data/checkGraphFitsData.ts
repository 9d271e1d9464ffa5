/**
 * Does this graph fit the user's data (issue 14)? The Input brick must give the data's per-sample shape (a vector of the
 * encoded feature count for a table, H×W×C for images) and the Output head must match the task: classification with one
 * unit per class, regression with one linear unit per target. Messages say the numbers to set, e.g.
 * "Input 'input' is 4 but penguins.csv gives 7 features (set the Input to vector 7)".
 */
import type { GraphDocument, GraphNode } from '../document/model';
import { getLayerSpec } from '../catalog/registry';
import { resolveParams } from '../catalog/resolveParams';
import { formatShape } from '../catalog/shapes';
import type { ResolvedParams } from '../catalog/spec';

/** The data side of the check: what a fitted DataSpec (or a loaded table) gives. */
export interface DataShape {
  /** Shown in messages: the file or folder name. */
  readonly name: string;
  readonly kind: 'table' | 'imageFolder';
  readonly inputShape: readonly number[];
  readonly task: 'classification' | 'regression';
  /** Classification: the class names (their count is the Output's units). */
  readonly classNames?: readonly string[];
}

function resolved(node: GraphNode): ResolvedParams {
  const spec = getLayerSpec(node.type);
  return spec ? resolveParams(spec, node.params).params : node.params;
}

const nameOf = (node: GraphNode) => node.label ?? node.id;

export function checkGraphFitsData(graph: GraphDocument, data: DataShape): string[] {
  const issues: string[] = [];
  const inputs = graph.nodes.filter((n) => n.type === 'Input');
  const outputs = graph.nodes.filter((n) => n.type === 'Output');
  if (inputs.length !== 1) issues.push(`${data.name} feeds exactly one Input brick, but the graph has ${inputs.length}`);
  if (outputs.length !== 1) issues.push(`Training needs exactly one Output brick, but the graph has ${outputs.length}`);
  const what =
    data.kind === 'table'
      ? `${data.inputShape[0]} feature${data.inputShape[0] === 1 ? '' : 's'}`
      : `${formatShape(data.inputShape)} images`;
  const input = inputs[0];
  if (input && inputs.length === 1) {
    const result = getLayerSpec('Input')?.inferShape([], resolved(input));
    const shape = result?.ok ? result.shape : undefined;
    const kind = data.kind === 'table' ? 'vector' : 'image';
    if (!shape) issues.push(`Input '${nameOf(input)}' has no complete shape (set it to ${kind} ${formatShape(data.inputShape)})`);
    else if (shape.length !== data.inputShape.length || shape.some((d, i) => d !== data.inputShape[i])) {
      issues.push(`Input '${nameOf(input)}' is ${formatShape(shape)} but ${data.name} gives ${what} (set the Input to ${kind} ${formatShape(data.inputShape)})`);
    }
  }
  const output = outputs[0];
  if (output && outputs.length === 1) {
    const head = getLayerSpec('Output')?.head?.(resolved(output));
    const task = head?.task ?? 'classification';
    const units = head?.units;
    if (data.task === 'regression') {
      if (task !== 'regression') {
        issues.push(`Output '${nameOf(output)}' does ${task} but ${data.name}'s target is numeric: set the Output to regression with 1 unit`);
      } else if (units !== 1) {
        issues.push(`Output '${nameOf(output)}' has ${units ?? 'no'} units but ${data.name} has 1 regression target (set units to 1)`);
      }
    } else {
      const classes = data.classNames?.length ?? 0;
      if (task === 'regression') {
        issues.push(`Output '${nameOf(output)}' does regression but ${data.name} has ${classes} classes: set the Output to classification with ${classes} units`);
      } else if (task === 'binary' && classes !== 2) {
        issues.push(`Output '${nameOf(output)}' is binary but ${data.name} has ${classes} classes (use classification with ${classes} units)`);
      } else if (task === 'classification' && units !== classes) {
        issues.push(`Output '${nameOf(output)}' has ${units ?? 'no'} units but ${data.name} has ${classes} classes (set units to ${classes})`);
      }
    }
  }
  return issues;
}

export function assertGraphFitsData(graph: GraphDocument, data: DataShape): void {
  const issues = checkGraphFitsData(graph, data);
  if (issues.length > 0) throw new Error(issues.join('; '));
}
