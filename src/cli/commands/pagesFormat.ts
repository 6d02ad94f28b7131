import type { LinkEnd } from '../../core/pageLinks.js';
import type { ShownPage } from '../../core/showPage.js';
import type { CliContext } from '../context.js';
import { printable } from '../printable.js';

/** The object `pages show --json` prints (documented in README). */
export function shownPageJson({ page, links, backlinks }: ShownPage) {
  return {
    source: page.source,
    path: page.path,
    slug: page.slug,
    title: page.title,
    type: page.type,
    tags: page.tags,
    frontmatter: page.frontmatter,
    blobOid: page.blobOid,
    updatedAt: page.updatedAt.toISOString(),
    chunks: page.chunks,
    body: page.body,
    links,
    backlinks,
  };
}

const ruleWords: Record<LinkEnd['rule'], string> = { slug: 'slug', file_name: 'file name', title: 'title' };

/** How a link was resolved, in words: `file name; same directory of 2 matches`. */
export function howResolved(e: LinkEnd): string {
  if (e.tieBreak === null) return ruleWords[e.rule];
  const tie = e.tieBreak === 'same_directory' ? 'same directory' : 'shortest path';
  return `${ruleWords[e.rule]}; ${tie} of ${e.matches} matches`;
}

/** Title and details on stderr, the body (only) on stdout, links after it on stderr. */
export function printShownPage(ctx: CliContext, shown: ShownPage): void {
  const { page, links, backlinks } = shown;
  const { dim, yellow } = ctx.log.colour;
  const where = `${page.source}:${printable(page.path)} · ${printable(page.slug)} · ${page.chunks} chunks · blob ${page.blobOid}`;
  ctx.log.info(`${printable(page.title)}\n${dim(where)}`);
  if (page.tags.length > 0) ctx.log.info(dim(`tags: ${printable(page.tags.join(', '))}`));
  const fm = Object.entries(page.frontmatter);
  // JSON.stringify escapes C0 controls but leaves DEL and C1 controls as they are.
  if (fm.length > 0) ctx.log.info(dim(['frontmatter:', ...fm.map(([k, v]) => `  ${printable(k)}: ${printable(JSON.stringify(v))}`)].join('\n')));
  // The body is the page itself, on stdout like `cat` would print it: kept exact.
  process.stdout.write(page.body.endsWith('\n') ? page.body : page.body + '\n');
  ctx.log.info(`links out (${links.length}):`);
  for (const l of links) {
    const target = printable(l.targetSlug);
    const text = `  ${l.kind === 'wiki' ? `[[${target}]]` : target}${l.label ? ` "${printable(l.label)}"` : ''}`;
    ctx.log.info(l.resolved ? `${text} → ${printable(l.resolved.slug)} ${dim(`(${howResolved(l.resolved)})`)}` : `${text} → ${yellow('unresolved')}`);
  }
  ctx.log.info(`links in (${backlinks.length}):`);
  for (const b of backlinks) ctx.log.info(`  ${printable(b.slug)} "${printable(b.title)}" ${dim(`(${b.kind}, ${howResolved(b)})`)}`);
}
