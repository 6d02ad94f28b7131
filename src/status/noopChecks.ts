import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../writeFileAtomic.js';
import type { ManifestSource } from './manifest.js';

/**
 * No-op runs answered from the status manifest (`sync` on a PGLite brain whose sources were
 * all up to date) start no database, so they leave no `sync_runs` row. Without a record of
 * them, a brain whose cron only ever finds nothing to do would look stale to
 * `status --max-staleness`. This side file, `<brain>.status.noop.json`, keeps the newest such
 * check per source; every manifest, whether rebuilt from the database or rewritten by the
 * fast path, merges it (`mergeNoopChecks`), so the last successful sync never goes back in
 * time when the next database rebuild happens.
 *
 * It is only ever written by a process holding the brain's directory lock, and only read as
 * advice: an unreadable file, or one written for another brain, counts as empty.
 */
export interface NoopCheck {
  /** The source's row id (a source removed and added again gets a new one). */
  id: number;
  name: string;
  /** The commit found equal to the bookmark after the pull. */
  commit: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface NoopChecks {
  format: 1;
  /** The brain's cluster identifier: checks of a deleted and re-created brain are not believed. */
  systemIdentifier: string;
  checks: NoopCheck[];
}

/** The side file's checks, if it is there, readable and written for this brain; otherwise none. */
export async function readNoopChecks(path: string, systemIdentifier: string | null): Promise<NoopCheck[]> {
  if (systemIdentifier === null) return [];
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as Partial<NoopChecks>;
    if (doc?.format !== 1 || doc.systemIdentifier !== systemIdentifier || !Array.isArray(doc.checks)) return [];
    return doc.checks.filter(isCheck);
  } catch {
    return [];
  }
}

/** Replaces the side file (atomically) with `checks` merged over what is kept of the old ones. */
export async function writeNoopChecks(path: string, systemIdentifier: string, kept: NoopCheck[], checks: NoopCheck[]): Promise<void> {
  const byId = new Map(kept.map((c) => [c.id, c]));
  for (const c of checks) byId.set(c.id, c);
  const doc: NoopChecks = { format: 1, systemIdentifier, checks: [...byId.values()].sort((a, b) => a.id - b.id) };
  await writeFileAtomic(path, [Buffer.from(JSON.stringify(doc, null, 2) + '\n')]);
}

/**
 * Folds the checks into manifest entries (in place), as of `nowMs` (the manifest's writtenAt):
 * a check newer than the source's last run becomes its last run (`up_to_date`, no run id), and
 * the last successful sync is the later of the two. A check is matched by id and name, so it
 * never outlives its source.
 */
export function mergeNoopChecks(sources: ManifestSource[], checks: NoopCheck[], nowMs: number): void {
  if (checks.length === 0) return;
  const byId = new Map(checks.map((c) => [c.id, c]));
  for (const s of sources) {
    const c = byId.get(s.id);
    if (!c || c.name !== s.name) continue;
    const at = Date.parse(c.finishedAt);
    const age = Math.max(0, Math.round(nowMs - at) / 1000);
    if (!s.lastRun || at > Date.parse(s.lastRun.finishedAt)) {
      s.lastRun = {
        runId: null, status: 'up_to_date', reason: null, message: null,
        startedAt: c.startedAt, finishedAt: c.finishedAt, durationMs: c.durationMs,
        counts: { planned: 0, imported: 0, skipped: 0, deleted: 0, renamed: 0, failed: 0, read: 0, embedded: 0, pending: s.embedPending },
        ageSeconds: age,
      };
      // The newest "run" pinned this commit.
      s.tip = c.commit;
      if (c.commit === s.bookmark) s.commitsBehind = 0;
    }
    if (!s.lastSuccessAt || at > Date.parse(s.lastSuccessAt)) {
      s.lastSuccessAt = c.finishedAt;
      s.lastSuccessAgeSeconds = age;
    }
  }
}

function isCheck(c: unknown): c is NoopCheck {
  const x = c as Partial<NoopCheck> | null;
  return typeof x === 'object' && x !== null && typeof x.id === 'number' && typeof x.name === 'string' && typeof x.commit === 'string' &&
    typeof x.startedAt === 'string' && typeof x.finishedAt === 'string' && !Number.isNaN(Date.parse(x.finishedAt)) && typeof x.durationMs === 'number';
}
