import type { LinkCandidate } from '../db/linksQueries.js';
import { slugFromPath } from '../markdown/slugFromPath.js';

export type { LinkCandidate };

/**
 * Which rule found the page: its slug is the link's target; its file name (with the folders
 * the link gives, if any) is; its title is.
 */
export type LinkRule = 'slug' | 'file_name' | 'title';
/** How one page was chosen when several matched by the same rule. */
export type TieBreak = 'same_directory' | 'shortest_path';

export interface Resolution {
  page: LinkCandidate;
  rule: LinkRule;
  tieBreak: TieBreak | null;
  /** Pages that matched by the winning rule (more than 1: the tie-break chose). */
  matches: number;
}

export interface StoredLink {
  targetSlug: string;
  kind: 'wiki' | 'markdown' | string;
}

/**
 * Resolves a stored link the way note-taking tools do. A markdown link is a path, so only its
 * exact slug counts. A wikilink `[[World]]` is stored as the slug `world`: an exact slug wins,
 * else a page whose file name matches (`b/world.md`; `[[b/World]]` also matches
 * `notes/b/world.md`), else a page whose title matches (compared as slugs, so case and
 * punctuation do not matter). Several matches by one rule: the one in the linking page's
 * directory, else the shortest path (fewest folders, then fewest characters, then by name).
 */
export function resolveLink(link: StoredLink, fromPath: string, candidates: Iterable<LinkCandidate>): Resolution | null {
  const target = link.targetSlug;
  const byRule: Record<LinkRule, LinkCandidate[]> = { slug: [], file_name: [], title: [] };
  for (const c of candidates) {
    if (c.slug === target) byRule.slug.push(c);
    else if (link.kind !== 'wiki') continue;
    else if (c.slug.endsWith('/' + target)) byRule.file_name.push(c);
    else if (titleSlug(c.title) === target) byRule.title.push(c);
  }
  for (const rule of ['slug', 'file_name', 'title'] as const) {
    const found = byRule[rule];
    if (found.length > 0) return { ...choose(found, fromPath), rule, matches: found.length };
  }
  return null;
}

function choose(found: LinkCandidate[], fromPath: string): { page: LinkCandidate; tieBreak: TieBreak | null } {
  if (found.length === 1) return { page: found[0], tieBreak: null };
  const here = dirOf(fromPath);
  const near = found.filter((c) => dirOf(c.path) === here);
  const pool = near.length > 0 ? near : found;
  return { page: [...pool].sort(shortestPath)[0], tieBreak: near.length > 0 ? 'same_directory' : 'shortest_path' };
}

function shortestPath(a: LinkCandidate, b: LinkCandidate): number {
  const depth = a.path.split('/').length - b.path.split('/').length;
  if (depth !== 0) return depth;
  if (a.path.length !== b.path.length) return a.path.length - b.path.length;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** A title as a wikilink target: `[[Hello World]]` is stored as the slug of its text. */
export function titleSlug(title: string): string {
  return slugFromPath(title);
}

/** Every stored target that may resolve to this page: its slug, each shorter tail of it, its title's slug. */
export function targetsOf(page: Pick<LinkCandidate, 'slug' | 'title'>): string[] {
  const out = new Set<string>();
  const parts = page.slug.split('/');
  for (let i = 0; i < parts.length; i++) out.add(parts.slice(i).join('/'));
  out.add(titleSlug(page.title));
  return [...out];
}

/**
 * A case-insensitive regular expression (Postgres `~*`) that every title whose slug is one of
 * `targets` matches, to narrow the title rule's candidates in SQL before the exact comparison
 * here: one expression for all targets, so a page with a hundred links costs one pass over
 * the titles. Only a target's ASCII letter and digit runs are used, in order: the slug rule
 * keeps them verbatim from the lower-cased title, while other characters may come from
 * another form of the text (Unicode normalisation, case mapping). `k` and `i` match any one
 * character: KELVIN SIGN normalises to `K`, and `İ` lower-cases to `i` plus a combining dot
 * (the only two characters outside ASCII that become ASCII letters or digits). A target with
 * no ASCII run, or one that may be a hashed slug, matches every title.
 */
export function titleFilter(targets: string[]): string {
  const parts: string[] = [];
  for (const target of new Set(targets)) {
    // A title of no letters or digits (`🚀`) slugs to a hash of itself, which it does not contain.
    const runs = /(?:^|\/)page-[0-9a-f]{8}$/.test(target) ? [] : (target.match(/[a-z0-9]+/g) ?? []);
    if (runs.length === 0) return '';
    parts.push(runs.map((r) => r.replace(/[ki]/g, '.')).join('.*'));
  }
  return parts.map((p) => `(?:${p})`).join('|');
}
