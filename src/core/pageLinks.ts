import type { Queryable } from '../db/Db.js';
import { linkCandidates, linksFrom, linksTo, type LinkCandidate, type OutLink } from '../db/linksQueries.js';
import { resolveLink, targetsOf, titleFilter, type LinkRule, type TieBreak } from './resolveLink.js';

export interface LinkEnd {
  path: string;
  slug: string;
  title: string;
  rule: LinkRule;
  tieBreak: TieBreak | null;
  /** Pages that matched by `rule`; more than one means the tie-break chose. */
  matches: number;
}

export interface ResolvedLink extends OutLink {
  /** The page the link leads to, or null: no page of the source matches. */
  resolved: LinkEnd | null;
}

export interface Backlink extends LinkEnd {
  label: string | null;
  kind: OutLink['kind'];
}

export interface PageLinks {
  links: ResolvedLink[];
  /** Links of other pages (and the page itself) of the source that resolve to this page; rule says how. */
  backlinks: Backlink[];
}

/**
 * A page's links out and in, resolved at read time (resolveLink's rules) within the page's
 * source, so brains synced before the rules existed read the same way. Three queries: the
 * page's links, the links whose target may name this page (index lookup), and the pages any of
 * those targets may lead to.
 */
export async function pageLinks(db: Queryable, page: LinkCandidate & { sourceId: number }): Promise<PageLinks> {
  const out = await linksFrom(db, page.id);
  const incoming = await linksTo(db, page.sourceId, targetsOf(page));
  const candidates = await candidatesFor(db, page.sourceId, [...out, ...incoming]);
  const links = out.map((l) => {
    const r = resolveLink(l, page.path, candidates);
    return { ...l, resolved: r && { ...pick(r.page), rule: r.rule, tieBreak: r.tieBreak, matches: r.matches } };
  });
  const backlinks: Backlink[] = [];
  for (const l of incoming) {
    const r = resolveLink(l, l.from.path, candidates);
    if (r?.page.id !== page.id) continue;
    backlinks.push({ ...pick(l.from), label: l.label, kind: l.kind, rule: r.rule, tieBreak: r.tieBreak, matches: r.matches });
  }
  return { links, backlinks };
}

/**
 * The pages the links may lead to. Titles are searched only for wikilink targets that no
 * slug or file name matches: those rules come first, so a title could not change the answer.
 */
export async function candidatesFor(db: Queryable, sourceId: number, links: OutLink[]): Promise<LinkCandidate[]> {
  const targets = [...new Set(links.map((l) => l.targetSlug))];
  const found = await linkCandidates(db, sourceId, targets, null);
  const named = (t: string) => found.some((c) => c.slug === t || c.slug.endsWith('/' + t));
  const byTitle = [...new Set(links.filter((l) => l.kind === 'wiki' && !named(l.targetSlug)).map((l) => l.targetSlug))];
  if (byTitle.length === 0) return found;
  const seen = new Set(found.map((c) => c.id));
  const more = await linkCandidates(db, sourceId, [], titleFilter(byTitle));
  return [...found, ...more.filter((c) => !seen.has(c.id))];
}

function pick(p: LinkCandidate): { path: string; slug: string; title: string } {
  return { path: p.path, slug: p.slug, title: p.title };
}
