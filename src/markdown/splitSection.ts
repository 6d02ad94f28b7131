import type { Line } from './scanLines.js';

/** [start, end) offsets into the body. */
export type Range = [number, number];

/**
 * Ranges of one section (lines [from, to)), each at most `maxChars` long where possible.
 * Splits happen at blank lines first; a paragraph that is still too long is split at line
 * boundaries, and a single line that is still too long is cut every `maxChars` characters.
 * A fenced code block is never split: one longer than the limit becomes a chunk on its own,
 * because half a code block is useless to a reader and misleading to an embedding model.
 * Leading and trailing blank lines are left out of every range.
 */
export function splitSection(body: string, lines: Line[], from: number, to: number, maxChars: number): Range[] {
  while (from < to && lines[from].kind === 'blank') from++;
  while (to > from && lines[to - 1].kind === 'blank') to--;
  if (from === to) return [];
  const start = lines[from].start;
  const end = lines[to - 1].end;
  if (end - start <= maxChars) return [[start, end]];
  return pack(units(body, lines, from, to, maxChars), maxChars);
}

/**
 * The pieces that `pack` may not cut: paragraphs that fit, otherwise their lines, fenced
 * blocks whole, and fixed-size pieces of over-long lines. Blank lines inside a fence have
 * kind 'code', so they never end a paragraph.
 */
function units(body: string, lines: Line[], from: number, to: number, maxChars: number): Range[] {
  const out: Range[] = [];
  let i = from;
  while (i < to) {
    if (lines[i].kind === 'blank') {
      i++;
      continue;
    }
    let j = i;
    while (j < to && lines[j].kind !== 'blank') j++;
    if (lines[j - 1].end - lines[i].start <= maxChars) out.push([lines[i].start, lines[j - 1].end]);
    else lineUnits(body, lines, i, j, maxChars, out);
    i = j;
  }
  return out;
}

function lineUnits(body: string, lines: Line[], from: number, to: number, maxChars: number, out: Range[]): void {
  let i = from;
  while (i < to) {
    const line = lines[i];
    if (line.kind === 'code') {
      let j = i + 1;
      while (j < to && lines[j].block === line.block) j++;
      out.push([line.start, lines[j - 1].end]);
      i = j;
      continue;
    }
    if (line.end - line.start <= maxChars) out.push([line.start, line.end]);
    else hardSplit(body, line.start, line.end, maxChars, out);
    i++;
  }
}

function hardSplit(body: string, start: number, end: number, maxChars: number, out: Range[]): void {
  for (let p = start; p < end; ) {
    let q = Math.min(p + maxChars, end);
    // Never cut between the two halves of a surrogate pair (emoji, rare CJK).
    if (q < end && isLowSurrogate(body.charCodeAt(q))) q = q - 1 > p ? q - 1 : q + 1;
    out.push([p, q]);
    p = q;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Greedily joins consecutive units while the joined range stays within the limit. */
function pack(pieces: Range[], maxChars: number): Range[] {
  const out: Range[] = [];
  let current: Range | null = null;
  for (const piece of pieces) {
    if (current && piece[1] - current[0] <= maxChars) current[1] = piece[1];
    else {
      if (current) out.push(current);
      current = [piece[0], piece[1]];
    }
  }
  if (current) out.push(current);
  return out;
}
