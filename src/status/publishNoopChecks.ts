import { hostname } from 'node:os';
import { writeFileAtomic } from '../writeFileAtomic.js';
import type { Manifest } from './manifest.js';
import { mergeNoopChecks, readNoopChecks, writeNoopChecks, type NoopCheck } from './noopChecks.js';

/**
 * Records no-op runs answered from `manifest` without the database: first in the side file
 * (the durable record that every later rebuild from the database merges), then in the
 * manifest itself, so `status` shows them at once. In that order: a crash between the two
 * leaves a manifest that is merely behind, never one whose last success a later rebuild
 * would take back. The caller holds the brain's directory lock and has checked that the
 * manifest is current (no change marker, this brain), so it may rewrite it.
 */
export async function publishNoopChecks(
  files: { manifest: string; checks: string }, manifest: Manifest, checks: NoopCheck[], now: Date,
): Promise<void> {
  const systemIdentifier = manifest.brain.systemIdentifier;
  if (checks.length === 0 || systemIdentifier === null) return;
  const ids = new Set(manifest.sources.map((s) => s.id));
  const kept = (await readNoopChecks(files.checks, systemIdentifier)).filter((c) => ids.has(c.id));
  await writeNoopChecks(files.checks, systemIdentifier, kept, checks);
  const next = manifestAsOf(manifest, now);
  mergeNoopChecks(next.sources, checks, now.getTime());
  await writeFileAtomic(files.manifest, [Buffer.from(JSON.stringify(next, null, 2) + '\n')]);
}

/** The same manifest dated `now`: every age moves on by the time since it was written. */
function manifestAsOf(m: Manifest, now: Date): Manifest {
  const elapsed = Math.max(0, (now.getTime() - Date.parse(m.writtenAt)) / 1000);
  const later = (s: number) => Math.round((s + elapsed) * 1000) / 1000;
  return {
    ...m,
    writtenAt: now.toISOString(),
    writer: { host: hostname(), pid: process.pid },
    sources: m.sources.map((s) => ({
      ...s,
      lastRun: s.lastRun ? { ...s.lastRun, ageSeconds: later(s.lastRun.ageSeconds) } : null,
      lastSuccessAgeSeconds: s.lastSuccessAgeSeconds === null ? null : later(s.lastSuccessAgeSeconds),
      lock: s.lock ? { ...s.lock, heartbeatAgeSeconds: later(s.lock.heartbeatAgeSeconds) } : null,
    })),
  };
}
