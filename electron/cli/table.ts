/** Plain-text tables for the terminal: padded columns, numbers right-aligned, no colours (output is often piped). */

export interface TableColumn {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** Cells longer than this are cut with an ellipsis. */
  readonly maxWidth?: number;
}

export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], indent = ''): string {
  const cell = (row: readonly string[], i: number): string => {
    const text = (row[i] ?? '').replace(/\s+/g, ' ');
    const max = columns[i]?.maxWidth;
    return max !== undefined && text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
  };
  const header = columns.map((c) => c.header);
  const body = rows.map((row) => columns.map((_, i) => cell(row, i)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...body.map((r) => r[i]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    indent +
    row
      .map((text, i) => (columns[i]?.align === 'right' ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = indent + widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n') + '\n';
}
