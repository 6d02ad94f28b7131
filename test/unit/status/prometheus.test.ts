import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { escapeLabel, prometheusText, runStatuses } from '../../../src/status/prometheus.js';
import { sourceStatuses } from '../../../src/status/sourceStatus.js';
import { manifestFixture } from './manifestFixture.js';

const written = new Date('2026-01-01T00:00:00Z');
// A brain path with every character the format escapes.
const brain = '/srv/odd "brains"\\main\nx';

function parsed() {
  const m = manifestFixture(written, [
    { failedFiles: 3, embedPending: 1200, commitsBehind: 4 },
    {
      lastRun: { runId: 'r', status: 'partial', reason: 'timeout', message: null, startedAt: written.toISOString(), finishedAt: written.toISOString(), durationMs: 240_000, counts: {}, ageSeconds: 5 },
      lock: { host: 'h', pid: 7, runId: 'r2', since: written.toISOString(), heartbeatAt: written.toISOString(), heartbeatAgeSeconds: 1, expired: false },
    },
    { lastRun: null, lastSuccessAt: null, lastSuccessAgeSeconds: null, commitsBehind: null },
  ], brain);
  const text = prometheusText(brain, sourceStatuses(m, new Date(written.getTime() + 30_000)), 30);
  return { text, families: parsePrometheusTextFormat(text) };
}

function sample(families: ReturnType<typeof parsed>['families'], name: string, labels: Record<string, string>) {
  const family = families.find((f) => f.name === name);
  expect(family, name).toBeDefined();
  return family!.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

describe('prometheusText', () => {
  it('is parsed by a Prometheus text-format parser: every family has HELP and TYPE gauge, one sample per label set', () => {
    const { families } = parsed();
    expect(families.map((f) => f.name)).toEqual(expect.arrayContaining([
      'brainsync_source_staleness_seconds', 'brainsync_source_last_run_status', 'brainsync_source_failed_files',
      'brainsync_source_embeddings_pending', 'brainsync_source_lock_held', 'brainsync_source_last_run_duration_seconds',
    ]));
    for (const f of families) {
      expect(f.type, f.name).toBe('GAUGE');
      expect(f.help.length, f.name).toBeGreaterThan(10);
      const keys = f.metrics.map((m) => JSON.stringify(Object.entries(m.labels ?? {}).sort()));
      expect(new Set(keys).size, `${f.name} has a duplicate series`).toBe(keys.length);
    }
  });

  it('escapes label values so the parser gets the brain path back exactly', () => {
    const { families } = parsed();
    for (const f of families) for (const m of f.metrics) expect(m.labels?.brain).toBe(brain);
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('gives the values of each source: staleness moved on, +Inf when never synced, one status series set to 1', () => {
    const { families } = parsed();
    const value = (name: string, source: string, extra: Record<string, string> = {}) => {
      const found = sample(families, name, { source, ...extra });
      expect(found, `${name}{source=${source}}`).toHaveLength(1);
      return found[0].value;
    };
    expect(Number(value('brainsync_source_staleness_seconds', 's0'))).toBe(40);
    expect(value('brainsync_source_staleness_seconds', 's2')).toBe('+Inf');
    expect(Number(value('brainsync_source_failed_files', 's0'))).toBe(3);
    expect(Number(value('brainsync_source_embeddings_pending', 's0'))).toBe(1200);
    expect(Number(value('brainsync_source_commits_behind', 's0'))).toBe(4);
    expect(sample(families, 'brainsync_source_commits_behind', { source: 's2' })).toHaveLength(0);
    expect(Number(value('brainsync_source_lock_held', 's1'))).toBe(1);
    expect(Number(value('brainsync_source_lock_held', 's0'))).toBe(0);
    expect(Number(value('brainsync_source_last_run_duration_seconds', 's1'))).toBe(240);
    for (const [source, status] of [['s0', 'synced'], ['s1', 'partial'], ['s2', 'none']]) {
      for (const st of runStatuses) {
        expect(Number(value('brainsync_source_last_run_status', source, { status: st })), `${source} ${st}`).toBe(st === status ? 1 : 0);
      }
    }
    expect(Number(sample(families, 'brainsync_status_data_age_seconds', {})[0].value)).toBe(30);
  });
});
