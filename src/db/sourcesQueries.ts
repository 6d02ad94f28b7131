import type { EmbedSettings } from '../embed/embedSpec.js';
import type { Queryable } from './Db.js';

/** Why a local branch could not be pulled: diverged from its upstream, or files in the checkout the pull would overwrite. */
export type PullBlock = 'diverged' | 'local_changes';

export interface SourceRow {
  id: number;
  name: string;
  repo: string;
  repoKind: 'local' | 'remote';
  branch: string;
  subdir: string;
  embedModel: string | null;
  embedUrl: string | null;
  embedKeyEnv: string | null;
  bookmarkCommit: string | null;
  bookmarkAt: Date | null;
  pendingTargets: string[];
  /** Since when runs could not pull the local branch, and why; null when the last pull that could tell went through (setPullBlocked). */
  pullBlockedSince: Date | null;
  pullBlockedBy: PullBlock | null;
  createdAt: Date;
}

const columns = `id, name, repo, repo_kind as "repoKind", branch, subdir, embed_model as "embedModel",
  embed_url as "embedUrl", embed_key_env as "embedKeyEnv",
  bookmark_commit as "bookmarkCommit", bookmark_at as "bookmarkAt", pending_targets as "pendingTargets",
  pull_blocked_since as "pullBlockedSince",
  pull_blocked_by as "pullBlockedBy", created_at as "createdAt"`;

export interface NewSource {
  name: string;
  repo: string;
  repoKind: 'local' | 'remote';
  branch: string;
  subdir: string;
  embedModel: string | null;
  embedUrl?: string | null;
  embedKeyEnv?: string | null;
}

export async function insertSource(db: Queryable, s: NewSource): Promise<SourceRow> {
  const res = await db.query<SourceRow>(
    `insert into sources (name, repo, repo_kind, branch, subdir, embed_model, embed_url, embed_key_env)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${columns}`,
    [s.name, s.repo, s.repoKind, s.branch, s.subdir, s.embedModel, s.embedUrl ?? null, s.embedKeyEnv ?? null],
  );
  return res.rows[0];
}

export async function listSources(db: Queryable): Promise<SourceRow[]> {
  return (await db.query<SourceRow>(`select ${columns} from sources order by name`)).rows;
}

export async function findSource(db: Queryable, name: string): Promise<SourceRow | null> {
  const res = await db.query<SourceRow>(`select ${columns} from sources where name = $1`, [name]);
  return res.rows[0] ?? null;
}

export async function deleteSource(db: Queryable, id: number): Promise<void> {
  await db.query('delete from sources where id = $1', [id]);
}

export interface SourceCounts {
  sourceId: number;
  pages: number;
  chunks: number;
  failures: number;
}

/** Page, chunk and failure counts per source (or for one source). */
export async function sourceCounts(db: Queryable, sourceId?: number): Promise<Map<number, SourceCounts>> {
  const res = await db.query<SourceCounts>(
    `select s.id as "sourceId",
       (select count(*)::int from pages p where p.source_id = s.id) as pages,
       (select count(*)::int from chunks c join pages p on p.id = c.page_id where p.source_id = s.id) as chunks,
       (select count(*)::int from sync_failures f where f.source_id = s.id) as failures
     from sources s where $1::bigint is null or s.id = $1`,
    [sourceId ?? null],
  );
  return new Map(res.rows.map((r) => [r.sourceId, r]));
}

export async function setEmbedSettings(db: Queryable, sourceId: number, s: EmbedSettings): Promise<void> {
  await db.query('update sources set embed_model = $2, embed_url = $3, embed_key_env = $4 where id = $1', [sourceId, s.spec, s.url, s.keyEnv]);
}

export function embedSettingsOf(s: SourceRow): EmbedSettings {
  return { spec: s.embedModel, url: s.embedUrl, keyEnv: s.embedKeyEnv };
}

/**
 * Records why runs cannot pull the source's local branch (null: they can): since now when they
 * could, kept when they already could not (the staleness it stands for counts from the first
 * run that found it, whatever the reason becomes), cleared when they can.
 */
export async function setPullBlocked(db: Queryable, sourceId: number, by: PullBlock | null): Promise<void> {
  await db.query(
    `update sources set pull_blocked_since = case when $2::text is not null then coalesce(pull_blocked_since, now()) end,
                        pull_blocked_by = $2 where id = $1`,
    [sourceId, by],
  );
}
