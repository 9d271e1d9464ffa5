import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { listTemplates } from './templates';

describe('templates', () => {
  it('offers Blank first, then every example file, each loading with the shared loader', () => {
    const templates = listTemplates();
    expect(templates[0]?.id).toBe('blank');
    const ids = templates.map((t) => t.id);
    for (const id of ['xor', 'spirals', 'mnist-mlp', 'lenet', 'resnet-mini', 'nf-resnet-mini', 'autoencoder']) expect(ids).toContain(id);
    for (const t of templates.slice(1)) {
      expect(t.error, t.id).toBeUndefined();
      expect(t.file?.graph.nodes.length, t.id).toBeGreaterThan(0);
    }
  });

  it('examples open without errors on the canvas', () => {
    for (const t of listTemplates().slice(1)) {
      const errors = analyzeGraph(t.file!.graph).issues.filter((i) => i.severity === 'error');
      expect(errors, t.id).toEqual([]);
    }
  });
});
