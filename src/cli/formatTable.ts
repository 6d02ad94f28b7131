/**
 * Plain-text columns: each column as wide as its widest cell, two spaces between, the last
 * column left ragged. No box drawing, so it reads the same in a terminal, a cron mail and
 * a log file.
 */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
