import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeNoopChecks, readNoopChecks, writeNoopChecks, type NoopCheck } from '../../../src/status/noopChecks.js';
import { manifestFixture } from './manifestFixture.js';

const t = (iso: string) => new Date(iso);
const check = (over: Partial<NoopCheck> = {}): NoopCheck => ({
  id: 1, name: 's0', commit: 'a'.repeat(40), startedAt: '2026-01-01T12:00:00.000Z', finishedAt: '2026-01-01T12:00:00.100Z', durationMs: 100, ...over,
});

describe('mergeNoopChecks', () => {
  it('makes a check newer than the last run the last run and the last success, aged from the manifest\'s time', () => {
    const m = manifestFixture(t('2026-01-01T10:00:00Z'), [{ embedPending: 3 }]);
    mergeNoopChecks(m.sources, [check()], Date.parse('2026-01-01T12:00:10.100Z'));
    expect(m.sources[0]).toMatchObject({
      lastRun: { runId: null, status: 'up_to_date', finishedAt: '2026-01-01T12:00:00.100Z', durationMs: 100, ageSeconds: 10, counts: { pending: 3, imported: 0 } },
      lastSuccessAt: '2026-01-01T12:00:00.100Z',
      lastSuccessAgeSeconds: 10,
      tip: 'a'.repeat(40),
      commitsBehind: 0,
    });
  });

  it('leaves a newer run alone, and never takes the last success back', () => {
    const m = manifestFixture(t('2026-01-01T13:00:00Z'));
    const before = structuredClone(m.sources[0]);
    mergeNoopChecks(m.sources, [check()], Date.parse('2026-01-01T13:00:00Z'));
    expect(m.sources[0]).toEqual(before);
  });

  it('keeps the newer success when the last run failed after the check', () => {
    const m = manifestFixture(t('2026-01-01T13:00:00Z'), [{
      lastSuccessAt: '2026-01-01T11:00:00.000Z', lastSuccessAgeSeconds: 7200,
      lastRun: { runId: 'r', status: 'failed', reason: null, message: 'git failed', startedAt: '2026-01-01T12:59:00Z', finishedAt: '2026-01-01T12:59:59Z', durationMs: 1, counts: {}, ageSeconds: 1 },
    }]);
    mergeNoopChecks(m.sources, [check()], Date.parse('2026-01-01T13:00:00.100Z'));
    expect(m.sources[0].lastRun).toMatchObject({ status: 'failed' });
    expect(m.sources[0]).toMatchObject({ lastSuccessAt: '2026-01-01T12:00:00.100Z', lastSuccessAgeSeconds: 3600 });
  });

  it('ignores a check of another source: another id, or the same id under another name', () => {
    const m = manifestFixture(t('2026-01-01T10:00:00Z'));
    const before = structuredClone(m.sources[0]);
    mergeNoopChecks(m.sources, [check({ id: 2 }), check({ name: 'renamed' })], Date.parse('2026-01-01T12:00:10Z'));
    expect(m.sources[0]).toEqual(before);
  });
});

describe('the no-op checks file', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const file = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'brainsync-noop-'));
    dirs.push(dir);
    return join(dir, 'brain.status.noop.json');
  };

  it('is read back only for the brain it was written for, and keeps one check per source', async () => {
    const path = await file();
    await writeNoopChecks(path, '42', [check(), check({ id: 2, name: 's1' })], [check({ finishedAt: '2026-01-02T00:00:00.000Z' })]);
    const read = await readNoopChecks(path, '42');
    expect(read.map((c) => [c.id, c.finishedAt])).toEqual([[1, '2026-01-02T00:00:00.000Z'], [2, '2026-01-01T12:00:00.100Z']]);
    expect(await readNoopChecks(path, '43')).toEqual([]);
    expect(await readNoopChecks(path, null)).toEqual([]);
  });

  it('counts as empty when missing or unreadable, and drops malformed entries', async () => {
    const path = await file();
    expect(await readNoopChecks(path, '42')).toEqual([]);
    await writeFile(path, '{"format": 1, "systemIdentifier": "42", "checks": [');
    expect(await readNoopChecks(path, '42')).toEqual([]);
    await writeFile(path, JSON.stringify({ format: 1, systemIdentifier: '42', checks: [check(), { id: '1' }, { ...check({ id: 3 }), finishedAt: 'never' }] }));
    expect((await readNoopChecks(path, '42')).map((c) => c.id)).toEqual([1]);
  });
});
