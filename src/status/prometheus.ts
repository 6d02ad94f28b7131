import type { SourceStatus } from './sourceStatus.js';

/** The run outcomes `brainsync_source_last_run_status` has a series for ("none": never ran; a dry run is never the last run). */
export const runStatuses = ['synced', 'up_to_date', 'partial', 'failed', 'none'] as const;

interface Sample {
  labels: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

/**
 * The Prometheus text exposition format (version 0.0.4) for node_exporter's textfile
 * collector: every metric a gauge with HELP and TYPE, one sample per label set, labels
 * `brain` and `source`. A never-synced source has staleness +Inf (alert on it like a stale one).
 */
export function prometheusText(brain: string, sources: SourceStatus[], dataAgeSeconds: number): string {
  const per = (name: string, help: string, value: (s: SourceStatus) => number | null): Family => ({
    name,
    help,
    samples: sources.flatMap((s) => {
      const v = value(s);
      return v === null ? [] : [{ labels: { brain, source: s.name }, value: v }];
    }),
  });
  const families: Family[] = [
    per('brainsync_source_staleness_seconds',
      'Seconds since the source\'s last successful sync (synced or up to date), or since its branch could not be pulled if that is longer; +Inf if never.',
      (s) => s.stalenessSeconds ?? Number.POSITIVE_INFINITY),
    per('brainsync_source_last_success_timestamp_seconds', 'Unix time of the source\'s last successful sync.',
      (s) => (s.lastSuccessAt ? Date.parse(s.lastSuccessAt) / 1000 : null)),
    per('brainsync_source_commits_behind', 'Commits on the branch tip last seen that the brain does not hold yet (when known).',
      (s) => s.commitsBehind),
    {
      name: 'brainsync_source_last_run_status',
      help: 'Outcome of the source\'s last run: 1 for the status it ended with, 0 for the others.',
      samples: sources.flatMap((s) =>
        runStatuses.map((status) => ({ labels: { brain, source: s.name, status }, value: (s.lastRun?.status ?? 'none') === status ? 1 : 0 })),
      ),
    },
    per('brainsync_source_last_run_duration_seconds', 'Duration of the source\'s last run.',
      (s) => (s.lastRun?.durationMs != null ? s.lastRun.durationMs / 1000 : null)),
    per('brainsync_source_last_run_timestamp_seconds', 'Unix time the source\'s last run finished.',
      (s) => (s.lastRun ? Date.parse(s.lastRun.finishedAt) / 1000 : null)),
    per('brainsync_source_failed_files', 'Files of the source recorded as failed (skipped until they change or --retry-failed).', (s) => s.failedFiles),
    per('brainsync_source_embeddings_pending', 'Chunks of the source waiting for a vector.', (s) => s.embedPending),
    per('brainsync_source_pull_blocked', '1 while the source\'s local branch cannot be pulled (diverged from its upstream, or local changes in the way).',
      (s) => (s.pullBlockedBy ? 1 : 0)),
    per('brainsync_source_lock_held', '1 while a run holds the source\'s lock.', (s) => (s.lock ? 1 : 0)),
    {
      name: 'brainsync_status_data_age_seconds',
      help: 'Age of the data these metrics come from (the status manifest; 0 for a live query).',
      samples: [{ labels: { brain }, value: dataAgeSeconds }],
    },
  ];
  return families.map(formatFamily).join('');
}

function formatFamily(f: Family): string {
  const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`];
  for (const s of f.samples) {
    const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
    lines.push(`${f.name}{${labels}} ${formatValue(s.value)}`);
  }
  return lines.join('\n') + '\n';
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(Math.round(v * 1000) / 1000);
}
