import type { Line } from './scanLines.js';
import { sha256Hex } from './sha256Hex.js';
import { splitSection } from './splitSection.js';

export interface Chunk {
  ordinal: number;
  /** Enclosing headings joined with ' > '; '' before the first heading. */
  headingPath: string;
  text: string;
  /** sha256 hex of `text`; embeddings are stored by this hash. */
  hash: string;
}

interface Section {
  /** Line range [from, to) of the section, its heading line first. */
  from: number;
  to: number;
  headingPath: string;
}

/**
 * Cuts a body into chunks at ATX headings outside code fences, then cuts sections longer
 * than `maxChars` at paragraph and line boundaries (see splitSection). Chunk text is an
 * exact slice of the body, so the same text always yields the same hash. Null when there would
 * be more than `maxChunks`, found before hashing them.
 */
export function chunkBody(body: string, lines: Line[], maxChars: number, maxChunks = Number.POSITIVE_INFINITY): Chunk[] | null {
  const chunks: Chunk[] = [];
  for (const section of findSections(lines)) {
    for (const [start, end] of splitSection(body, lines, section.from, section.to, maxChars)) {
      const text = body.slice(start, end);
      if (!/\S/.test(text)) continue;
      if (chunks.length >= maxChunks) return null;
      chunks.push({ ordinal: chunks.length, headingPath: section.headingPath, text, hash: sha256Hex(text) });
    }
  }
  return chunks;
}

/**
 * A heading with nothing under it but a deeper heading (`# Title` directly followed by
 * `## Intro`) does not become a chunk of its own: a chunk holding only a heading embeds
 * poorly. Its line joins the child's section, whose heading path already names it.
 */
function findSections(lines: Line[]): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let from = 0;
  let headingPath = '';
  let level = 0;
  let hasContent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.kind !== 'heading') {
      if (line.kind !== 'blank') hasContent = true;
      continue;
    }
    const mergesIntoChild = level > 0 && !hasContent && line.level > level;
    if (!mergesIntoChild) {
      if (i > from) sections.push({ from, to: i, headingPath });
      from = i;
    }
    while (stack.length > 0 && stack[stack.length - 1].level >= line.level) stack.pop();
    stack.push({ level: line.level, text: line.heading });
    headingPath = stack.map((entry) => entry.text).filter((text) => text !== '').join(' > ');
    level = line.level;
    hasContent = false;
  }
  if (lines.length > from) sections.push({ from, to: lines.length, headingPath });
  return sections;
}
