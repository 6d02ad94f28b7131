import type { Queryable } from '../db/Db.js';
import { findPagesBySlug, type PageDetail } from '../db/pagesQueries.js';
import { listSources, type SourceRow } from '../db/sourcesQueries.js';
import { NotFoundError, UsageError } from '../errors.js';
import { slugFromPath } from '../markdown/slugFromPath.js';
import { candidatesFor, pageLinks, type PageLinks } from './pageLinks.js';
import { requireSource } from './requireSource.js';
import { resolveLink } from './resolveLink.js';

export interface ShownPage extends PageLinks {
  page: PageDetail;
}

/**
 * `pages show SLUG`: the page with that exact slug (in the named source, or the only source
 * that has it), with its links resolved. A slug no page has is refused with the pages a
 * wikilink of that text would lead to, so `pages show world` points at `b/world`.
 */
export async function showPage(db: Queryable, slug: string, sourceName: string | null): Promise<ShownPage> {
  const source = sourceName === null ? null : await requireSource(db, sourceName);
  const found = await findPagesBySlug(db, slug, source?.id ?? null);
  if (found.length > 1) {
    throw new UsageError(`slug "${slug}" exists in several sources (${found.map((p) => p.source).join(', ')}): add --source NAME.`);
  }
  if (found.length === 0) {
    const near = await nearPages(db, slug, source ? [source] : await listSources(db));
    const hint = near.length > 0 ? ` A wikilink [[${slug}]] leads to ${near.join(', ')}.` : '';
    throw new NotFoundError(
      `no page with slug "${slug}"${source ? ` in source ${source.name}` : ''}.${hint} \`brainsync pages list --source NAME\` shows the slugs.`,
    );
  }
  const page = found[0];
  return { page, ...(await pageLinks(db, page)) };
}

async function nearPages(db: Queryable, slug: string, sources: SourceRow[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of sources) {
    const target = slugFromPath(slug);
    const link = { targetSlug: target, label: null, kind: 'wiki' as const };
    const r = resolveLink(link, '', await candidatesFor(db, s.id, [link]));
    if (r) out.push(`${r.page.slug}${sources.length > 1 ? ` (source ${s.name})` : ''}`);
  }
  return out;
}
