/**
 * Lego blocks for the palette: small sub-networks inserted as one named group. A template is plain data (a
 * Fragment) built for the shape coming into it, so e.g. a residual block picks an identity or a 1×1 projection
 * shortcut depending on whether the incoming channel count matches.
 */
import type { Params } from '../../../shared/document/model';
import type { Shape } from '../../../shared/catalog/spec';

export interface FragmentNode {
  readonly key: string;
  readonly type: string;
  readonly params: Params;
  /** Offset from the block's insertion point. */
  readonly dx: number;
  readonly dy: number;
  readonly label?: string;
}

export interface FragmentEdge {
  readonly from: string;
  readonly to: string;
  readonly port: number;
}

export interface Fragment {
  readonly name: string;
  readonly nodes: readonly FragmentNode[];
  readonly edges: readonly FragmentEdge[];
  /** Nodes that receive the incoming tensor, with the port they receive it on. */
  readonly entries: readonly { readonly key: string; readonly port: number }[];
  /** The node whose output leaves the block. */
  readonly exit: string;
}

export interface BlockTemplate {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  build(incoming: Shape | undefined): Fragment;
}

const STEP = 224;

function chain(name: string, nodes: readonly Omit<FragmentNode, 'dx' | 'dy'>[]): Fragment {
  return {
    name,
    nodes: nodes.map((n, i) => ({ ...n, dx: i * STEP, dy: 0 })),
    edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]!.key, to: n.key, port: 0 })),
    entries: [{ key: nodes[0]!.key, port: 0 }],
    exit: nodes[nodes.length - 1]!.key,
  };
}

/** Channels of an image shape, when the shape is an image. */
function channelsOf(shape: Shape | undefined): number | undefined {
  return shape && shape.length === 3 ? shape[2] : undefined;
}

export const BLOCK_TEMPLATES: readonly BlockTemplate[] = [
  {
    id: 'conv-bn-relu',
    name: 'Conv-BN-ReLU',
    description: 'Conv2D (no activation, no bias) → BatchNorm → ReLU: the standard convolution unit.',
    build: (incoming) => {
      const filters = Math.max(channelsOf(incoming) ?? 16, 16);
      return chain('Conv-BN-ReLU', [
        { key: 'conv', type: 'Conv2D', params: { filters, kernelSize: [3, 3], padding: 'same', activation: 'linear', useBias: false } },
        { key: 'bn', type: 'BatchNorm', params: {} },
        { key: 'relu', type: 'Activation', params: { activation: 'relu' } },
      ]);
    },
  },
  {
    id: 'residual',
    name: 'Residual block',
    description:
      'Two 3×3 convolutions plus a shortcut added back. The shortcut is the identity when the incoming channels ' +
      'match the block width, else a 1×1 convolution projects them (inputs narrower than 16 channels become 32).',
    build: (incoming) => {
      const inChannels = channelsOf(incoming);
      // Narrow inputs (an RGB image, a thin stem) are widened to 32 channels, which needs the projection shortcut.
      const filters = inChannels !== undefined && inChannels >= 16 ? inChannels : 32;
      const identity = inChannels === undefined || inChannels === filters;
      const conv = (key: string, dx: number): FragmentNode => ({
        key,
        type: 'Conv2D',
        params: { filters, kernelSize: [3, 3], padding: 'same', activation: 'linear', useBias: false },
        dx,
        dy: 0,
      });
      const nodes: FragmentNode[] = [
        conv('conv1', 0),
        { key: 'bn1', type: 'BatchNorm', params: {}, dx: STEP, dy: 0 },
        { key: 'relu1', type: 'Activation', params: { activation: 'relu' }, dx: 2 * STEP, dy: 0 },
        conv('conv2', 3 * STEP),
        { key: 'bn2', type: 'BatchNorm', params: {}, dx: 4 * STEP, dy: 0 },
        { key: 'add', type: 'Add', params: {}, dx: 5 * STEP, dy: 60 },
        { key: 'relu2', type: 'Activation', params: { activation: 'relu' }, dx: 6 * STEP, dy: 60 },
      ];
      const edges: FragmentEdge[] = [
        { from: 'conv1', to: 'bn1', port: 0 },
        { from: 'bn1', to: 'relu1', port: 0 },
        { from: 'relu1', to: 'conv2', port: 0 },
        { from: 'conv2', to: 'bn2', port: 0 },
        { from: 'bn2', to: 'add', port: 0 },
        { from: 'add', to: 'relu2', port: 0 },
      ];
      const entries = [{ key: 'conv1', port: 0 }];
      if (identity) {
        entries.push({ key: 'add', port: 0 });
      } else {
        nodes.push({
          key: 'shortcut',
          type: 'Conv2D',
          label: 'Projection 1×1',
          params: { filters, kernelSize: [1, 1], padding: 'same', activation: 'linear' },
          dx: 2 * STEP,
          dy: 150,
        });
        entries.push({ key: 'shortcut', port: 0 });
        edges.push({ from: 'shortcut', to: 'add', port: 0 });
      }
      return { name: identity ? 'Residual block' : 'Residual block (projection)', nodes, edges, entries, exit: 'relu2' };
    },
  },
  {
    id: 'mlp',
    name: 'MLP block',
    description: 'Dense 64 (ReLU) → Dropout 0.2 → Dense 64 (ReLU): a small fully-connected stack.',
    build: () =>
      chain('MLP block', [
        { key: 'dense1', type: 'Dense', params: { units: 64, activation: 'relu' } },
        { key: 'drop', type: 'Dropout', params: { rate: 0.2 } },
        { key: 'dense2', type: 'Dense', params: { units: 64, activation: 'relu' } },
      ]),
  },
  {
    id: 'inception',
    name: 'Inception branch',
    description: 'Parallel 1×1, 3×3 and 5×5 convolutions and a pooled path, joined by Concatenate along channels.',
    build: () => {
      const conv = (key: string, k: number, filters: number, dy: number, dx = STEP): FragmentNode => ({
        key,
        type: 'Conv2D',
        params: { filters, kernelSize: [k, k], padding: 'same', activation: 'relu' },
        dx,
        dy,
      });
      return {
        name: 'Inception branch',
        nodes: [
          conv('b1', 1, 16, -195, 0),
          conv('b3r', 1, 16, -65, 0),
          conv('b3', 3, 24, -65),
          conv('b5r', 1, 8, 65, 0),
          conv('b5', 5, 8, 65),
          { key: 'pool', type: 'MaxPool2D', params: { poolSize: [3, 3], strides: [1, 1], padding: 'same' }, dx: 0, dy: 195 },
          conv('pp', 1, 8, 195),
          { key: 'concat', type: 'Concatenate', params: {}, dx: 2 * STEP, dy: 0 },
        ],
        edges: [
          { from: 'b3r', to: 'b3', port: 0 },
          { from: 'b5r', to: 'b5', port: 0 },
          { from: 'pool', to: 'pp', port: 0 },
          { from: 'b1', to: 'concat', port: 0 },
          { from: 'b3', to: 'concat', port: 1 },
          { from: 'b5', to: 'concat', port: 2 },
          { from: 'pp', to: 'concat', port: 3 },
        ],
        entries: [
          { key: 'b1', port: 0 },
          { key: 'b3r', port: 0 },
          { key: 'b5r', port: 0 },
          { key: 'pool', port: 0 },
        ],
        exit: 'concat',
      };
    },
  },
];

export function getBlockTemplate(id: string): BlockTemplate | undefined {
  return BLOCK_TEMPLATES.find((b) => b.id === id);
}
