import type { Manifest, ManifestSource } from '../../../src/status/manifest.js';

/** A manifest as a writer would leave it, `ageAtWrite` seconds after each source's last success. */
export function manifestFixture(writtenAt: Date, sources: Partial<ManifestSource>[] = [{}], target = '/srv/brain'): Manifest {
  return {
    format: 1,
    version: '0.1.0',
    writtenAt: writtenAt.toISOString(),
    writer: { host: 'writer-host', pid: 4242 },
    brain: { target, kind: 'pglite', systemIdentifier: '7714212789408989226' },
    sources: sources.map((s, i) => ({
      id: i + 1,
      name: `s${i}`,
      repo: '/repos/notes',
      repoKind: 'local' as const,
      branch: 'main',
      bookmark: 'a'.repeat(40),
      bookmarkAt: writtenAt.toISOString(),
      pendingTargets: [],
      tip: 'a'.repeat(40),
      commitsBehind: 0,
      lastRun: {
        runId: `run-${i}`, status: 'synced', reason: null, message: null,
        startedAt: writtenAt.toISOString(), finishedAt: writtenAt.toISOString(), durationMs: 1500,
        counts: { imported: 3 }, ageSeconds: 10,
      },
      lastSuccessAt: writtenAt.toISOString(),
      lastSuccessAgeSeconds: 10,
      failedFiles: 0,
      failedPaths: [],
      embedPending: 0,
      embedPendingChangedAt: null,
      lock: null,
      ...s,
    })),
  };
}
