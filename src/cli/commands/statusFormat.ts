import type { Colour } from '../colour.js';
import type { SourceStatus } from '../../status/sourceStatus.js';

/** One header line and one line per source, columns aligned. */
export function statusTable(sources: SourceStatus[], colour: Colour): string[] {
  if (sources.length === 0) return ['no sources (add one with `brainsync sources add NAME REPO`)'];
  const rows = [
    ['SOURCE', 'LAST SUCCESS', 'LAST RUN', 'FAILED', 'PENDING', 'LOCK'],
    ...sources.map((s) => [s.name, freshness(s), lastRun(s), count(s.failedFiles), count(s.embedPending), lock(s)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, n) => {
    const line = r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd();
    if (n === 0) return colour.dim(line);
    return sources[n - 1].stale ? colour.red(line) : line;
  });
}

function freshness(s: SourceStatus): string {
  if (s.lastSuccessAgeSeconds === null) return 'never';
  const behind = s.commitsBehind ? `, ${count(s.commitsBehind)} commit${s.commitsBehind === 1 ? '' : 's'} behind` : '';
  const blocked = s.pullBlockedBy && s.pullBlockedAgeSeconds != null
    ? `, not pulled for ${formatDuration(s.pullBlockedAgeSeconds)} (${s.pullBlockedBy === 'diverged' ? 'diverged' : 'local changes'})` : '';
  return `${formatDuration(s.lastSuccessAgeSeconds)} ago${behind}${blocked}`;
}

/** For each source whose branch cannot be pulled: why, since when, and what to do. */
export function pullBlockedNotices(sources: SourceStatus[]): string[] {
  return sources.flatMap((s) => {
    if (!s.pullBlockedBy || s.pullBlockedAgeSeconds == null) return [];
    const since = formatDuration(s.pullBlockedAgeSeconds);
    return s.pullBlockedBy === 'diverged'
      ? [`${s.name}: branch "${s.branch}" diverged from its upstream ${since} ago, so the upstream's changes are not synced. ` +
        'Reconcile it with git (merge or rebase, then push).']
      : [`${s.name}: branch "${s.branch}" has not been pulled for ${since}: the checkout has local changes the upstream's would overwrite. ` +
        'Commit, stash or remove them (`git status` in the repository lists them).'];
  });
}

function lastRun(s: SourceStatus): string {
  const r = s.lastRun;
  if (!r) return 'never ran';
  const status = r.status.replace(/_/g, ' ') + (r.reason ? ` (${r.reason})` : '');
  const took = r.durationMs !== null ? ` in ${formatDuration(r.durationMs / 1000)}` : '';
  return `${status} ${formatDuration(r.ageSeconds)} ago${took}`;
}

function lock(s: SourceStatus): string {
  const l = s.lock;
  if (!l) return '-';
  const state = l.holderAlive === false ? ' (holder gone)' : l.expired ? ' (expired)' : '';
  return `pid ${l.pid} on ${l.host}, heartbeat ${formatDuration(l.heartbeatAgeSeconds)} ago${state}`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.4s, 12s, 4m, 3h12m, 2d4h. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Math.round(seconds * 10) / 10}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}
