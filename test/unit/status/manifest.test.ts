import { describe, expect, it } from 'vitest';
import { ManifestUnreadable, parseManifest } from '../../../src/status/manifest.js';
import { manifestPath, postgresKey } from '../../../src/status/manifestPath.js';
import { markStale, sourceStatuses } from '../../../src/status/sourceStatus.js';
import { resolveDbTarget } from '../../../src/db/target.js';
import { manifestFixture } from './manifestFixture.js';

describe('parseManifest', () => {
  const good = JSON.stringify(manifestFixture(new Date('2026-01-01T00:00:00Z')));

  it('reads what a writer writes', () => {
    expect(parseManifest(good).sources[0].name).toBe('s0');
  });

  it('refuses a truncated file, another format, and entries without their counts', () => {
    expect(() => parseManifest(good.slice(0, good.length / 2))).toThrow(ManifestUnreadable);
    expect(() => parseManifest(good.replace('"format":1', '"format":2'))).toThrow(/format 2/);
    expect(() => parseManifest('[]')).toThrow(ManifestUnreadable);
    const broken = JSON.parse(good);
    delete broken.sources[0].failedFiles;
    expect(() => parseManifest(JSON.stringify(broken))).toThrow(/counts/);
  });
});

describe('manifestPath', () => {
  it('puts a PGLite brain\'s manifest beside its directory, not inside it', () => {
    const target = resolveDbTarget({ flag: '/srv/brains/main', env: {} });
    expect(manifestPath(target, '/home/b')).toBe('/srv/brains/main.status.json');
  });

  it('keys a Postgres brain by host, port and database: not by user or password', () => {
    const key = postgresKey('postgres://alice:secret@db.internal:5432/brain');
    expect(postgresKey('postgresql://bob:other@DB.internal/brain')).toBe(key);
    expect(postgresKey('postgres://alice:secret@db.internal:5433/brain')).not.toBe(key);
    expect(postgresKey('postgres://alice:secret@db.internal:5432/brain2')).not.toBe(key);
    expect(postgresKey('postgres://alice:secret@db2.internal:5432/brain')).not.toBe(key);
    const target = resolveDbTarget({ flag: 'postgres://alice:secret@db.internal/brain', env: {} });
    const path = manifestPath(target, '/home/b');
    expect(path).toBe(`/home/b/status/${key}.json`);
    expect(path).not.toContain('secret');
  });

  it('tells Unix-socket databases apart by socket directory', () => {
    expect(postgresKey('postgres:///brain?host=/run/a')).not.toBe(postgresKey('postgres:///brain?host=/run/b'));
  });
});

describe('sourceStatuses', () => {
  const written = new Date('2026-01-01T00:00:00Z');

  it('moves the ages on by the time since the manifest was written', () => {
    const m = manifestFixture(written, [{ lock: { host: 'elsewhere', pid: 1, runId: 'r', since: written.toISOString(), heartbeatAt: written.toISOString(), heartbeatAgeSeconds: 2, expired: false } }]);
    const [s] = sourceStatuses(m, new Date(written.getTime() + 60_000));
    expect(s.stalenessSeconds).toBe(70);
    expect(s.lastRun!.ageSeconds).toBe(70);
    expect(s.lock).toMatchObject({ heartbeatAgeSeconds: 62, holderAlive: null });
  });

  it('selects sources by name', () => {
    const m = manifestFixture(written, [{}, {}, {}]);
    expect(sourceStatuses(m, written, ['s2', 's0']).map((s) => s.name)).toEqual(['s0', 's2']);
  });

  it('marks as stale the sources older than the limit and those that never synced', () => {
    const m = manifestFixture(written, [{ lastSuccessAgeSeconds: 100 }, { lastSuccessAgeSeconds: 5000 }, { lastSuccessAgeSeconds: null, lastSuccessAt: null }]);
    const all = sourceStatuses(m, written);
    expect(markStale(all, 3600).map((s) => s.name)).toEqual(['s1', 's2']);
    expect(all.map((s) => s.stale)).toEqual([false, true, true]);
    expect(markStale(sourceStatuses(m, written), 10_000).map((s) => s.name)).toEqual(['s2']);
  });

  it('counts a branch that cannot be pulled as stale from when that was found, however recent its last success', () => {
    const blocked = (by: 'diverged' | 'local_changes') => ({ pullBlockedSince: written.toISOString(), pullBlockedAgeSeconds: 5000, pullBlockedBy: by });
    const m = manifestFixture(written, [
      { lastSuccessAgeSeconds: 100, ...blocked('diverged') },
      { lastSuccessAgeSeconds: 7000, ...blocked('local_changes') },
      { lastSuccessAgeSeconds: 100, pullBlockedSince: null, pullBlockedAgeSeconds: null, pullBlockedBy: null },
      { lastSuccessAgeSeconds: 100 }, // a manifest of an older brainsync
    ]);
    const all = sourceStatuses(m, new Date(written.getTime() + 60_000));
    expect(all.map((s) => s.stalenessSeconds)).toEqual([5060, 7060, 160, 160]);
    expect(all.map((s) => s.pullBlockedAgeSeconds)).toEqual([5060, 5060, null, null]);
    expect(markStale(all, 3600).map((s) => s.name)).toEqual(['s0', 's1']);
  });
});
