/**
 * Does the graph fit the chosen dataset? Checked in the panel before a run starts, so a mismatch is explained next
 * to the Start button (naming the brick) instead of arriving as a trainer failure. The trainer checks again.
 */
import type { DatasetInfo } from '../../../shared/contracts/trainer';
import type { GraphDocument, GraphNode } from '../../../shared/document/model';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { resolveParams } from '../../../shared/catalog/resolveParams';

function nameOf(node: GraphNode): string {
  return node.label ?? node.id;
}

function resolved(node: GraphNode) {
  const spec = getLayerSpec(node.type);
  return spec ? resolveParams(spec, node.params).params : node.params;
}

export function datasetFitProblems(graph: GraphDocument, dataset: DatasetInfo): string[] {
  const problems: string[] = [];
  const inputs = graph.nodes.filter((n) => n.type === 'Input');
  const outputs = graph.nodes.filter((n) => n.type === 'Output');
  if (inputs.length !== 1) problems.push(`The graph needs exactly one Input brick (it has ${inputs.length}).`);
  if (outputs.length !== 1) problems.push(`The graph needs exactly one Output brick (it has ${outputs.length}).`);
  const input = inputs[0];
  if (input && inputs.length === 1) {
    const result = getLayerSpec('Input')?.inferShape([], resolved(input));
    const shape = result?.ok ? result.shape : undefined;
    const want = dataset.inputShape.join('×');
    if (!shape) problems.push(`Input '${nameOf(input)}' has no complete shape.`);
    else if (shape.join('×') !== want) {
      problems.push(`Input '${nameOf(input)}' is ${shape.join('×')} but ${dataset.name} gives ${want}: set it to ${dataset.inputKind} ${want}.`);
    }
  }
  const output = outputs[0];
  if (output && outputs.length === 1) {
    const head = getLayerSpec('Output')?.head?.(resolved(output));
    const inputSize = dataset.inputShape.reduce((a, b) => a * b, 1);
    if (head?.task === 'regression') {
      // The datasets have only class labels: a regression head learns to rebuild its input (an autoencoder).
      if (head.units !== inputSize) {
        problems.push(
          `Output '${nameOf(output)}' does regression with ${head.units} units: with ${dataset.name} it rebuilds the input and needs ${inputSize} units (or use classification with ${dataset.classes}).`,
        );
      }
    } else if (head?.task === 'binary') {
      if (dataset.classes !== 2) problems.push(`Output '${nameOf(output)}' is binary but ${dataset.name} has ${dataset.classes} classes.`);
    } else if (head && head.units !== dataset.classes) {
      problems.push(`Output '${nameOf(output)}' has ${head.units} units but ${dataset.name} has ${dataset.classes} classes.`);
    }
  }
  return problems;
}
