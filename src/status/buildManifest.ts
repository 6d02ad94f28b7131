import { hostname } from 'node:os';
import type { Queryable } from '../db/Db.js';
import { readStatusRows, type SourceStatusRow } from '../db/statusQueries.js';
import { redactCredentials } from '../redact.js';
import type { CommitsBehind } from './commitsBehind.js';
import { manifestFormat, type Manifest, type ManifestSource } from './manifest.js';
import { mergeNoopChecks, type NoopCheck } from './noopChecks.js';

export interface ManifestContext {
  /** The brainsync writing it. */
  version: string;
  target: { kind: 'pglite' | 'postgres'; display: string };
  systemIdentifier: string | null;
  /** PGLite: the token in the brain directory this manifest goes with (dataStamp.ts). */
  dataStamp: string | null;
  behind: CommitsBehind;
  /** No-op runs answered from the manifest (PGLite), folded into last run and last success. */
  noopChecks?: NoopCheck[];
}

/** The whole manifest from the database's own state (one statement), as of now. */
export async function buildManifest(db: Queryable, ctx: ManifestContext): Promise<Manifest> {
  const rows = await readStatusRows(db);
  const sources: ManifestSource[] = [];
  for (const row of rows) sources.push(await sourceEntry(row, ctx.behind));
  const now = new Date();
  mergeNoopChecks(sources, ctx.noopChecks ?? [], now.getTime());
  return {
    format: manifestFormat,
    version: ctx.version,
    writtenAt: now.toISOString(),
    writer: { host: hostname(), pid: process.pid },
    brain: { target: ctx.target.display, kind: ctx.target.kind, systemIdentifier: ctx.systemIdentifier, dataStamp: ctx.dataStamp },
    sources,
  };
}

async function sourceEntry(r: SourceStatusRow, behind: CommitsBehind): Promise<ManifestSource> {
  return {
    id: r.id,
    name: r.name,
    repo: redactCredentials(r.repo),
    repoKind: r.repoKind,
    branch: r.branch,
    bookmark: r.bookmark,
    bookmarkAt: iso(r.bookmarkAt),
    pendingTargets: r.pendingTargets,
    tip: r.tip,
    commitsBehind: await behind.of(r),
    lastRun: r.runId
      ? {
          runId: r.runId,
          status: r.status!,
          reason: r.reason,
          message: r.error,
          startedAt: iso(r.startedAt)!,
          finishedAt: iso(r.finishedAt)!,
          durationMs: r.timings?.totalMs ?? null,
          counts: r.counts ?? {},
          ageSeconds: round(r.runAgeSeconds!),
        }
      : null,
    lastSuccessAt: iso(r.lastSuccessAt),
    lastSuccessAgeSeconds: r.lastSuccessAgeSeconds === null ? null : round(r.lastSuccessAgeSeconds),
    pullBlockedSince: iso(r.pullBlockedSince),
    pullBlockedAgeSeconds: r.pullBlockedAgeSeconds === null ? null : round(r.pullBlockedAgeSeconds),
    pullBlockedBy: r.pullBlockedBy,
    failedFiles: r.failed,
    failedPaths: r.failedPaths,
    embedPending: r.pending ?? 0,
    embedPendingChangedAt: iso(r.pendingAt),
    lock: r.lockHost !== null
      ? {
          host: r.lockHost, pid: r.lockPid!, runId: r.lockRunId!, since: iso(r.lockSince)!, heartbeatAt: iso(r.heartbeatAt)!,
          heartbeatAgeSeconds: round(r.heartbeatAgeSeconds!), expired: Boolean(r.lockExpired),
        }
      : null,
  };
}

function iso(d: Date | string | null): string | null {
  if (d === null) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
