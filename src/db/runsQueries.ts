import type { Queryable } from './Db.js';

export interface RunRecord {
  runId: string;
  sourceId: number;
  sourceName: string;
  status: string;
  reason: string | null;
  error: string | null;
  bookmarkFrom: string | null;
  targetCommit: string | null;
  counts: Record<string, number>;
  timings: Record<string, number>;
  host: string;
  pid: number;
  startedAt: Date;
}

export async function insertRun(db: Queryable, r: RunRecord): Promise<void> {
  await db.query(
    `insert into sync_runs (run_id, source_id, source_name, status, reason, error, bookmark_from, target_commit,
                            counts, timings, holder_host, holder_pid, started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      r.runId, r.sourceId, r.sourceName, r.status, r.reason, r.error, r.bookmarkFrom, r.targetCommit,
      JSON.stringify(r.counts), JSON.stringify(r.timings), r.host, r.pid, r.startedAt,
    ],
  );
}

/**
 * Source names ordered for a wave: never-run sources first, then the ones whose last run
 * ended longest ago. A wave cut short by cron's timeout then starts the next wave with the
 * sources it did not reach, so no source starves behind a big one.
 */
export async function namesByLastRun(db: Queryable): Promise<string[]> {
  const res = await db.query<{ name: string }>(
    `select s.name from sources s
       left join lateral (select max(r.finished_at) as last from sync_runs r where r.source_id = s.id) r on true
      order by r.last asc nulls first, s.name`,
  );
  return res.rows.map((r) => r.name);
}
