import { describe, expect, it } from 'vitest';
import { formatTable } from './table';

describe('formatTable', () => {
  it('pads columns, right-aligns numbers and truncates long cells', () => {
    const text = formatTable(
      [{ header: 'id' }, { header: 'n', align: 'right' }, { header: 'note', maxWidth: 5 }],
      [['a', '1', 'short'], ['long-id', '1234', 'much too long']],
    );
    expect(text).toBe(['id          n  note', '───────  ────  ─────', 'a           1  short', 'long-id  1234  much…', ''].join('\n'));
  });
});
