import type { Queryable } from './Db.js';

/** A page a link may lead to (pages of the linking page's source). */
export interface LinkCandidate {
  id: number;
  path: string;
  slug: string;
  title: string;
}

export interface OutLink {
  targetSlug: string;
  label: string | null;
  kind: 'wiki' | 'markdown';
}

/** The links a page holds, in target order. */
export async function linksFrom(db: Queryable, pageId: number): Promise<OutLink[]> {
  const res = await db.query<OutLink>(
    'select target_slug as "targetSlug", label, kind from links where page_id = $1 order by target_slug, kind',
    [pageId],
  );
  return res.rows;
}

export interface InLink extends OutLink {
  from: LinkCandidate;
}

/** Links from pages of a source whose stored target is one of `targets` (an index lookup). */
export async function linksTo(db: Queryable, sourceId: number, targets: string[]): Promise<InLink[]> {
  const res = await db.query<OutLink & LinkCandidate>(
    `select l.target_slug as "targetSlug", l.label, l.kind, p.id, p.path, p.slug, p.title
       from links l join pages p on p.id = l.page_id
      where l.target_slug = any($2::text[]) and p.source_id = $1
      order by p.path, l.kind, l.target_slug`,
    [sourceId, targets],
  );
  return res.rows.map(({ id, path, slug, title, ...link }) => ({ ...link, from: { id, path, slug, title } }));
}

/**
 * Pages of a source that may be what link targets lead to: an exact slug or a slug with the
 * same last segment (file name rule), and titles matching `titleRegex` case-insensitively
 * (title rule; null: none). A superset: resolveLink makes the exact comparison.
 */
export async function linkCandidates(
  db: Queryable,
  sourceId: number,
  targets: string[],
  titleRegex: string | null,
): Promise<LinkCandidate[]> {
  if (targets.length === 0 && titleRegex === null) return [];
  const res = await db.query<LinkCandidate>(
    `select id, path, slug, title from pages
      where source_id = $1
        and (slug = any($2::text[]) or split_part(slug, '/', -1) = any($3::text[]) or ($4::text is not null and title ~* $4))`,
    [sourceId, targets, targets.map(lastSegment), titleRegex],
  );
  return res.rows;
}

function lastSegment(slug: string): string {
  return slug.slice(slug.lastIndexOf('/') + 1);
}
