/**
 * The fuzz corpus generator, shared by the loader's fuzz test and the save-and-reopen property test: seeded
 * mutations of real `.nbrick` text (hostile values, deleted fields, cycles, duplicate ids, forbidden keys, deep
 * nesting, dangling edges, envelope damage, truncated or flipped text). Test-only; no Node imports.
 */

/** mulberry32: tiny, fast and good enough to drive mutations reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class Mutator {
  constructor(private readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Every container (object or array) in the tree with the path to it. */
  containers(root: Json): Json[] {
    const out: Json[] = [];
    const stack: Json[] = [root];
    while (stack.length > 0) {
      const v = stack.pop() as Json;
      if (v !== null && typeof v === 'object') {
        out.push(v);
        for (const child of Object.values(v)) stack.push(child);
      }
    }
    return out;
  }

  weirdValue(): Json {
    const deep: Json = JSON.parse('['.repeat(200) + ']'.repeat(200));
    return this.pick<Json>([
      null, true, false, 0, -1, -1e9, 1e308, -1e308, 2 ** 53 + 1, 0.5, 1e-320, 65536, 4294967296,
      '', 'NaN', 'Infinity', '-Infinity', '-0', '1e999', 'relu', 'same', 'x'.repeat(1000), '__proto__',
      [], [3, 3], [-1, 0], [1e9, 1e9], [0.5], ['a'], [[1]], Array.from({ length: 40 }, () => 7),
      {}, { x: 1 }, { __proto__: 1 } as unknown as Json, deep,
    ]);
  }

  mutate(root: Json, graph: { nodes: Json[]; edges: Json[] }): void {
    const containers = this.containers(root);
    const target = this.pick(containers) as Json[] | { [k: string]: Json };
    const keys = Object.keys(target);
    const key = keys.length > 0 ? this.pick(keys) : '0';
    switch (this.int(12)) {
      case 0: // delete a field / element
        if (Array.isArray(target)) target.splice(Number(key), 1);
        else delete target[key];
        break;
      case 1:
      case 2: // replace with a value of another type or a hostile value
        (target as Record<string, Json>)[key] = this.weirdValue();
        break;
      case 3: { // a numeric param gets an extreme or negative value
        const node = this.pick(graph.nodes) as { params?: Record<string, Json> } | null | undefined;
        if (node !== null && typeof node === 'object' && node.params && typeof node.params === 'object') {
          const names = Object.keys(node.params);
          const name = names.length > 0 ? this.pick(names) : 'units';
          node.params[name] = this.pick<Json>([-1, 0, -1e6, 1e12, 1e308, 0.3, 'NaN', [0, 0], [-3, 2], [1e9, 1e9, 1e9]]);
        }
        break;
      }
      case 4: { // a cycle or a self-loop
        const ids = graph.nodes.map((n) => (n !== null && typeof n === 'object' ? (n as { id?: Json }).id : undefined)).filter((id): id is string => typeof id === 'string');
        if (ids.length > 0) graph.edges.push({ id: `fz${this.int(1e6)}`, source: this.pick(ids), target: this.pick(ids), targetPort: this.int(3) });
        break;
      }
      case 5: { // an unknown or hostile type
        const node = this.pick(graph.nodes) as Record<string, Json> | undefined;
        if (node && typeof node === 'object') node['type'] = this.pick<Json>(['Banana', '', 'constructor', '__proto__', 'toString', 'dense', 42]);
        break;
      }
      case 6: { // forbidden keys as own properties (JSON.stringify writes them out)
        Object.defineProperty(target, this.pick(['__proto__', 'constructor', 'prototype']), {
          value: { polluted: true }, enumerable: true, configurable: true, writable: true,
        });
        break;
      }
      case 7: { // duplicated ids
        const list = this.pick([graph.nodes, graph.edges]);
        const item = this.pick(list);
        if (item !== undefined) list.push(JSON.parse(JSON.stringify(item)) as Json);
        break;
      }
      case 8: { // deep nesting somewhere
        (target as Record<string, Json>)[key] = JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100));
        break;
      }
      case 9: { // an edge to a port far away, or to a node that does not exist
        const edge = this.pick(graph.edges) as Record<string, Json> | undefined;
        if (edge && typeof edge === 'object') {
          if (this.random() < 0.5) edge['targetPort'] = this.pick<Json>([5, 1024, 1025, -1, 1.5]);
          else edge[this.pick(['source', 'target'])] = 'ghost';
        }
        break;
      }
      case 10: { // the envelope itself
        const r = root as Record<string, Json>;
        const field = this.pick(['format', 'formatVersion', 'graph', 'training', 'runs']);
        r[field] = this.pick<Json>([0, 1, 2, 99, -1, 'neural-bricks/graph', null, {}, []]);
        break;
      }
      default: { // swap two nodes' params (type/param mismatch)
        const a = this.pick(graph.nodes) as Record<string, Json> | undefined;
        const b = this.pick(graph.nodes) as Record<string, Json> | undefined;
        if (a && b && typeof a === 'object' && typeof b === 'object') [a['params'], b['params']] = [b['params'] as Json, a['params'] as Json];
      }
    }
  }

  /** Text-level damage: truncation, a flipped character, or a stray byte. */
  damageText(text: string): string {
    const at = this.int(text.length);
    switch (this.int(3)) {
      case 0:
        return text.slice(0, at);
      case 1:
        return text.slice(0, at) + this.pick(['{', '}', '"', ',', '\\', '\u0000', 'é', '\ud800']) + text.slice(at + 1);
      default:
        return text.slice(0, at) + text.slice(at + 1 + this.int(20));
    }
  }
}

/** One corpus entry: a mutated copy of `source` as text (15% damaged as text, the rest mutated 1–4 times as JSON). */
export function mutatedGraphText(m: Mutator, random: () => number, source: string): string {
  if (random() < 0.15) return m.damageText(source);
  const root = JSON.parse(source) as Json;
  const graph = ((root as Record<string, Json>)['graph'] ?? {}) as Record<string, Json>;
  const nodes = (Array.isArray(graph['nodes']) ? graph['nodes'] : Array.isArray(graph['layers']) ? graph['layers'] : []) as Json[];
  const edges = (Array.isArray(graph['edges']) ? graph['edges'] : []) as Json[];
  const rounds = 1 + m.int(4);
  for (let r = 0; r < rounds; r++) m.mutate(root, { nodes, edges });
  return JSON.stringify(root);
}
