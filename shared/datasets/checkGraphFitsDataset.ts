/**
 * Does this graph fit this dataset? Checks the Input brick's per-sample shape against the data and the Output
 * head's task and units against the classes, with messages that name the brick, e.g.
 * "Input 'input' is 2 but dataset 'mnist' gives 28×28×1".
 * Pure, so the training panel explains a mismatch next to its Start button with the same words the trainer uses
 * when it refuses the run.
 */
import type { GraphDocument, GraphNode } from '../document/model';
import type { GraphAnalysis } from '../inference/types';
import type { DatasetInfo } from '../contracts/trainer';
import { getLayerSpec } from '../catalog/registry';
import { resolveParams } from '../catalog/resolveParams';
import { formatShape } from '../catalog/shapes';
import type { ResolvedParams } from '../catalog/spec';

export interface DatasetFitIssue {
  readonly nodeId?: string;
  readonly message: string;
}

/** The node's params with the catalog's defaults filled in (a file may leave defaults out). */
function resolved(node: GraphNode): ResolvedParams {
  const spec = getLayerSpec(node.type);
  return spec ? resolveParams(spec, node.params).params : node.params;
}

/** The Input brick's per-sample shape, as the catalog infers it (image [H,W,C], vector [N], …). */
function inputShapeFromParams(node: GraphNode): readonly number[] | undefined {
  const spec = getLayerSpec('Input');
  if (!spec) return undefined;
  const result = spec.inferShape([], resolved(node));
  return result.ok ? result.shape : undefined;
}

function name(node: GraphNode): string {
  return node.label ?? node.id;
}

export function checkGraphFitsDataset(graph: GraphDocument, dataset: DatasetInfo, analysis?: GraphAnalysis): DatasetFitIssue[] {
  const issues: DatasetFitIssue[] = [];
  const inputs = graph.nodes.filter((n) => n.type === 'Input');
  const outputs = graph.nodes.filter((n) => n.type === 'Output');
  if (inputs.length !== 1) {
    issues.push({
      message: `Dataset '${dataset.id}' feeds exactly one Input brick, but the graph has ${inputs.length}`,
    });
  }
  if (outputs.length !== 1) {
    issues.push({ message: `Training needs exactly one Output brick, but the graph has ${outputs.length}` });
  }
  const input = inputs[0];
  if (input && inputs.length === 1) {
    const shape = analysis?.nodes.get(input.id)?.output ?? inputShapeFromParams(input);
    if (!shape) {
      issues.push({ nodeId: input.id, message: `Input '${name(input)}' has no complete shape (check its kind and sizes)` });
    } else if (shape.length !== dataset.inputShape.length || shape.some((d, i) => d !== dataset.inputShape[i])) {
      issues.push({
        nodeId: input.id,
        message:
          `Input '${name(input)}' is ${formatShape(shape)} but dataset '${dataset.id}' gives ${formatShape(dataset.inputShape)}` +
          ` (set the Input to ${dataset.inputKind} ${formatShape(dataset.inputShape)})`,
      });
    }
  }
  const output = outputs[0];
  if (output && outputs.length === 1) {
    const head = getLayerSpec('Output')?.head?.(resolved(output));
    const task = head?.task ?? 'classification';
    const units = head?.units;
    const inputSize = dataset.inputShape.reduce((a, b) => a * b, 1);
    if (task === 'regression') {
      // The datasets have no regression targets: a regression head can only learn to rebuild its input.
      if (units !== inputSize) {
        issues.push({
          nodeId: output.id,
          message:
            `Output '${name(output)}' does regression with ${units ?? 'no'} units, but dataset '${dataset.id}' has only class labels: ` +
            `a regression head reconstructs the input and needs ${inputSize} units (or use classification with ${dataset.classes} units)`,
        });
      }
    } else if (task === 'binary') {
      if (dataset.classes !== 2) {
        issues.push({
          nodeId: output.id,
          message: `Output '${name(output)}' is binary but dataset '${dataset.id}' has ${dataset.classes} classes (use classification with ${dataset.classes} units)`,
        });
      } else if (units !== undefined && units !== 1) {
        issues.push({ nodeId: output.id, message: `Output '${name(output)}' is binary and needs 1 unit, not ${units}` });
      }
    } else if (units !== dataset.classes) {
      issues.push({
        nodeId: output.id,
        message: `Output '${name(output)}' has ${units ?? 'no'} units but dataset '${dataset.id}' has ${dataset.classes} classes`,
      });
    }
  }
  return issues;
}

/** Throws one error listing every mismatch. */
export function assertGraphFitsDataset(graph: GraphDocument, dataset: DatasetInfo, analysis?: GraphAnalysis): void {
  const issues = checkGraphFitsDataset(graph, dataset, analysis);
  if (issues.length > 0) throw new Error(issues.map((i) => i.message).join('; '));
}
