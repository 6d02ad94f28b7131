import { resolveLinkPath } from './resolveLinkPath.js';
import type { Line } from './scanLines.js';
import { slugFromPath } from './slugFromPath.js';
import { stripInlineCode } from './stripInlineCode.js';

export interface Link {
  targetSlug: string;
  label: string | null;
  kind: 'wiki' | 'markdown';
}

// One pattern for both kinds, so links come out in document order.
// Group 1: wikilink inside `[[…]]`. Group 2: `!` of an image. Group 3: link text.
// Group 4: destination, either `<…>` or a run without spaces that may hold balanced parens.
// An optional title ("…", '…' or (…)) may follow the destination. Titles are kept to one
// line so that an unclosed quote costs one line of scanning, not the rest of the paragraph.
const LINK_PATTERN = new RegExp(
  String.raw`\[\[([^\[\]\n]+)\]\]` +
    String.raw`|(!?)\[([^\[\]]*)\]\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)` +
    String.raw`(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)`,
  'g',
);

/**
 * Wikilinks and relative markdown links of a page, outside fenced code and inline code,
 * deduplicated by (kind, target slug) keeping the first label. Inline code is removed per
 * paragraph, because a code span may continue onto the next line of its paragraph but
 * never into the next paragraph.
 */
export function extractLinks(body: string, lines: Line[], pagePath: string): Link[] {
  const found = new Map<string, Link>();
  const add = (link: Link | null): void => {
    if (!link || link.targetSlug === '') return;
    const key = `${link.kind}\u0000${link.targetSlug}`;
    if (!found.has(key)) found.set(key, link);
  };
  let i = 0;
  while (i < lines.length) {
    const kind = lines[i].kind;
    if (kind === 'blank' || kind === 'code') {
      i++;
      continue;
    }
    let j = i + 1;
    while (kind === 'text' && j < lines.length && lines[j].kind === 'text') j++;
    const paragraph = stripInlineCode(body.slice(lines[i].start, lines[j - 1].end));
    if (paragraph.includes('[')) {
      for (const match of paragraph.matchAll(LINK_PATTERN)) add(toLink(match, pagePath));
    }
    i = j;
  }
  return [...found.values()];
}

function toLink(match: RegExpMatchArray, pagePath: string): Link | null {
  const [, wiki, bang, text, destination] = match;
  if (wiki !== undefined) return wikiLink(wiki);
  if (bang === '!') return null;
  const path = resolveLinkPath(pagePath, destination);
  if (path === null) return null;
  return { targetSlug: slugFromPath(path), label: labelOf(text), kind: 'markdown' };
}

/** `[[target]]`, `[[target|label]]`, `[[target#heading]]`; `\|` is how tables escape the bar. */
function wikiLink(inner: string): Link | null {
  const bar = inner.indexOf('|');
  let target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? null : labelOf(inner.slice(bar + 1));
  target = target.replace(/\\$/, '').replace(/#.*$/s, '').trim();
  if (target === '') return null;
  return { targetSlug: slugFromPath(target), label, kind: 'wiki' };
}

function labelOf(text: string): string | null {
  const label = text.replace(/\s+/g, ' ').trim();
  return label.length > 0 ? label : null;
}
