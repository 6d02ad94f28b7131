import { hostname } from 'node:os';
import { processAlive } from '../locks/processAlive.js';
import type { Manifest, ManifestLock, ManifestRun, ManifestSource } from './manifest.js';

/** A source as `status` shows it at a given moment: the manifest's ages moved on by the time since it was written. */
export interface SourceStatus extends ManifestSource {
  /**
   * Seconds since the last successful sync; null when there never was one. While the local
   * branch cannot be pulled (diverged, or local changes in the way), at least the time since a
   * run first found it so: runs go on succeeding, but the upstream's changes no longer arrive.
   */
  stalenessSeconds: number | null;
  lastRun: (ManifestRun & { ageSeconds: number }) | null;
  lock: (ManifestLock & { holderAlive: boolean | null }) | null;
  /** Set with --max-staleness: older than allowed, or never synced. */
  stale?: boolean;
}

/** The sources of a manifest as of `now`, optionally only those named (in the manifest's order). */
export function sourceStatuses(m: Manifest, now: Date, only?: string[]): SourceStatus[] {
  const elapsed = Math.max(0, (now.getTime() - Date.parse(m.writtenAt)) / 1000);
  const later = (s: number | null) => (s === null ? null : round(s + elapsed));
  const here = hostname();
  return m.sources
    .filter((s) => !only || only.length === 0 || only.includes(s.name))
    .map((s) => ({
      ...s,
      stalenessSeconds: staleness(later(s.lastSuccessAgeSeconds), later(s.pullBlockedAgeSeconds ?? null)),
      lastSuccessAgeSeconds: later(s.lastSuccessAgeSeconds),
      pullBlockedAgeSeconds: later(s.pullBlockedAgeSeconds ?? null),
      lastRun: s.lastRun ? { ...s.lastRun, ageSeconds: round(s.lastRun.ageSeconds + elapsed) } : null,
      lock: s.lock
        ? {
            ...s.lock,
            heartbeatAgeSeconds: round(s.lock.heartbeatAgeSeconds + elapsed),
            // Only a holder on this host can be checked; elsewhere its heartbeat age is the evidence.
            holderAlive: s.lock.host === here ? processAlive(s.lock.pid) : null,
          }
        : null,
    }));
}

/** Marks and returns the sources whose last successful sync is older than maxSeconds (or never happened). */
export function markStale(sources: SourceStatus[], maxSeconds: number): SourceStatus[] {
  for (const s of sources) s.stale = s.stalenessSeconds === null || s.stalenessSeconds > maxSeconds;
  return sources.filter((s) => s.stale);
}

function staleness(lastSuccess: number | null, blocked: number | null): number | null {
  if (lastSuccess === null || blocked === null) return lastSuccess;
  return Math.max(lastSuccess, blocked);
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
