/** The canvas's view of the shared catalog: spec lookup and cached node summaries. */
import { getLayerSpec } from '../../../shared/catalog/registry';
import { resolveParams } from '../../../shared/catalog/resolveParams';
import type { LayerSpec, Params } from '../../../shared/catalog/spec';
import type { GraphNode } from '../../../shared/document/model';
import type { NodeDescriber } from '../canvas/flowMapping';

const summaries = new WeakMap<Params, string>();

export const nodeDescriber: NodeDescriber = {
  spec(type: string): LayerSpec | undefined {
    return getLayerSpec(type);
  },
  summary(node: GraphNode, spec: LayerSpec): string {
    const cached = summaries.get(node.params);
    if (cached !== undefined) return cached;
    let text = '';
    try {
      const { params, issues } = resolveParams(spec, node.params);
      text = issues.some((i) => i.severity === 'error') ? '' : spec.summary(params);
    } catch {
      text = '';
    }
    summaries.set(node.params, text);
    return text;
  },
};
