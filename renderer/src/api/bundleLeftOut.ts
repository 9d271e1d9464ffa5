/**
 * The checkpoints a bundle download left out, from its header (see shared/contracts/graphBundle.ts). A header that
 * cannot be read says nothing was left out rather than failing a download that did arrive.
 */
import type { CheckpointReport } from '../../../shared/contracts/evaluation';

export function parseLeftOut(header: string | null): CheckpointReport[] {
  if (!header) return [];
  try {
    const parsed: unknown = JSON.parse(decodeURIComponent(header));
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (item): item is CheckpointReport =>
        typeof item === 'object' && item !== null && typeof item.runId === 'string' && typeof item.status === 'string',
    );
  } catch {
    return [];
  }
}
