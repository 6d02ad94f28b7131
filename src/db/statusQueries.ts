import type { Queryable } from './Db.js';

/** One source's state as the status manifest shows it; ages are measured by the database clock. */
export interface SourceStatusRow {
  id: number;
  name: string;
  repo: string;
  repoKind: 'local' | 'remote';
  branch: string;
  bookmark: string | null;
  bookmarkAt: Date | null;
  pendingTargets: string[];
  /** The target of the newest run that pinned one: the branch tip last seen. */
  tip: string | null;
  runId: string | null;
  status: string | null;
  reason: string | null;
  error: string | null;
  counts: Record<string, number> | null;
  timings: Record<string, number> | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  runAgeSeconds: number | null;
  lastSuccessAt: Date | null;
  lastSuccessAgeSeconds: number | null;
  pullBlockedSince: Date | null;
  pullBlockedAgeSeconds: number | null;
  pullBlockedBy: 'diverged' | 'local_changes' | null;
  failed: number;
  failedPaths: string[];
  pending: number | null;
  pendingAt: Date | null;
  lockHost: string | null;
  lockPid: number | null;
  lockRunId: string | null;
  lockSince: Date | null;
  heartbeatAt: Date | null;
  heartbeatAgeSeconds: number | null;
  lockExpired: boolean | null;
}

/** How many failed paths the manifest names per source (the count is always exact). */
export const failedPathsShown = 5;

/**
 * Everything the manifest says, in one statement. Each part is an index lookup bounded by
 * what it returns, whatever the brain's size: the newest run and the newest successful run
 * walk sync_runs_source_idx backwards; failures use their primary key (source_id, path);
 * pending is the recorded count (sources.embed_pending), never a count over embed_queue or
 * chunks. The last run is the newest that was not a dry run: a dry run changes nothing, and
 * must not hide the failure before it from `status` and alerts. The last success is the newest successful run or bookmark write, whichever is later:
 * a run killed after its bookmark (in its embed phase) synced, though it recorded no run.
 */
export async function readStatusRows(db: Queryable): Promise<SourceStatusRow[]> {
  const res = await db.query<SourceStatusRow>(
    `select s.id, s.name, s.repo, s.repo_kind as "repoKind", s.branch, s.bookmark_commit as bookmark, s.bookmark_at as "bookmarkAt",
            s.pending_targets as "pendingTargets", t.target_commit as tip,
            r.run_id as "runId", r.status, r.reason, r.error, r.counts, r.timings,
            r.started_at as "startedAt", r.finished_at as "finishedAt",
            extract(epoch from now() - r.finished_at)::float8 as "runAgeSeconds",
            greatest(ok.finished_at, s.bookmark_at) as "lastSuccessAt",
            extract(epoch from now() - greatest(ok.finished_at, s.bookmark_at))::float8 as "lastSuccessAgeSeconds",
            s.pull_blocked_since as "pullBlockedSince", s.pull_blocked_by as "pullBlockedBy",
            extract(epoch from now() - s.pull_blocked_since)::float8 as "pullBlockedAgeSeconds",
            (select count(*)::int from sync_failures f where f.source_id = s.id) as failed,
            array(select f.path from sync_failures f where f.source_id = s.id order by f.path limit $1) as "failedPaths",
            s.embed_pending as pending, s.embed_pending_at as "pendingAt",
            l.holder_host as "lockHost", l.holder_pid as "lockPid", l.run_id as "lockRunId", l.acquired_at as "lockSince",
            l.heartbeat_at as "heartbeatAt", extract(epoch from now() - l.heartbeat_at)::float8 as "heartbeatAgeSeconds",
            l.expires_at <= now() as "lockExpired"
       from sources s
       left join lateral (select * from sync_runs x where x.source_id = s.id and x.status <> 'dry_run'
                           order by x.finished_at desc limit 1) r on true
       left join lateral (select x.finished_at from sync_runs x where x.source_id = s.id and x.status in ('synced', 'up_to_date')
                           order by x.finished_at desc limit 1) ok on true
       left join lateral (select x.target_commit from sync_runs x where x.source_id = s.id and x.target_commit is not null
                           order by x.finished_at desc limit 1) t on true
       left join sync_locks l on l.name = s.name
      order by s.name`,
    [failedPathsShown],
  );
  return res.rows;
}

/**
 * Tells this brain from another one at the same place (a PGLite directory deleted and
 * created again, a database restored elsewhere). A server that does not let this user read
 * pg_control_system() gives null: the manifest then identifies the brain by its target only.
 */
export async function readSystemIdentifier(db: Queryable): Promise<string | null> {
  try {
    const res = await db.query<{ id: string }>('select system_identifier::text as id from pg_control_system()');
    return res.rows[0]?.id ?? null;
  } catch {
    return null;
  }
}
