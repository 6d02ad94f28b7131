// Figures for the one-table report (bench/report.mjs). A bench script calls figure(key, value)
// next to the line it prints; when the report runs it, BRAINSYNC_BENCH_FIGURES names a file
// and each figure is appended to it as one JSON line. Run on its own, a script prints as before.
import { appendFileSync } from 'node:fs';

export function figure(key, value, extra = {}) {
  const file = process.env.BRAINSYNC_BENCH_FIGURES;
  if (!file || value === null || value === undefined || Number.isNaN(value)) return;
  appendFileSync(file, JSON.stringify({ key, value, ...extra }) + '\n');
}
