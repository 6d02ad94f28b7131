/**
 * 'code' covers every line of a fenced code block, its opening and closing fence lines
 * included. Classifying lines once lets the title finder, the chunker and the link extractor
 * agree on what is code, which is the only markdown structure they all depend on.
 */
export type LineKind = 'blank' | 'text' | 'heading' | 'code';

export interface Line {
  /** Offset of the line's first character in the body. */
  start: number;
  /** Offset of the line's terminating `\n`, or the body length for the last line. */
  end: number;
  kind: LineKind;
  /** ATX heading level 1–6; 0 for other lines. */
  level: number;
  /** Heading text without the `#` markers, trimmed; '' for other lines. */
  heading: string;
  /** Number of the fenced block a 'code' line belongs to; -1 for other lines. */
  block: number;
}

interface OpenFence {
  char: number;
  length: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const BACKTICK = 0x60;
const TILDE = 0x7e;

/**
 * Splits an LF-only body into classified lines, following the CommonMark rules for ATX
 * headings and fenced code blocks: at most three spaces of indent, a fence closed only by the
 * same character repeated at least as often, and a fence never closed runs to the end.
 */
export function scanLines(body: string): Line[] {
  const lines: Line[] = [];
  let fence: OpenFence | null = null;
  let blocks = 0;
  let start = 0;
  for (;;) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    if (fence) {
      lines.push(codeLine(start, end, blocks - 1));
      if (closesFence(body, start, end, fence)) fence = null;
    } else {
      fence = opensFence(body, start, end);
      if (fence) lines.push(codeLine(start, end, blocks++));
      else lines.push(classify(body, start, end));
    }
    if (end === body.length) return lines;
    start = end + 1;
  }
}

function codeLine(start: number, end: number, block: number): Line {
  return { start, end, kind: 'code', level: 0, heading: '', block };
}

/**
 * Offset of the first character after the indent, or -1 if the indent is four columns or
 * more (an indented code block, which can be neither a heading nor a fence). A tab always
 * reaches column four.
 */
function contentStart(body: string, start: number, end: number): number {
  let i = start;
  while (i < end && body.charCodeAt(i) === SPACE) i++;
  if (i - start > 3 || (i < end && body.charCodeAt(i) === TAB)) return -1;
  return i;
}

function classify(body: string, start: number, end: number): Line {
  const line: Line = { start, end, kind: 'text', level: 0, heading: '', block: -1 };
  let i = start;
  while (i < end && (body.charCodeAt(i) === SPACE || body.charCodeAt(i) === TAB)) i++;
  if (i === end) {
    line.kind = 'blank';
    return line;
  }
  const first = contentStart(body, start, end);
  if (first === -1 || body.charCodeAt(first) !== HASH) return line;
  let j = first;
  while (j < end && body.charCodeAt(j) === HASH) j++;
  const level = j - first;
  const after = body.charCodeAt(j);
  if (level > 6 || (j < end && after !== SPACE && after !== TAB)) return line;
  line.kind = 'heading';
  line.level = level;
  // A closing sequence of #s is dropped only when a space separates it from the text.
  line.heading = body.slice(j, end).replace(/[ \t]#+[ \t]*$/, '').trim();
  return line;
}

function opensFence(body: string, start: number, end: number): OpenFence | null {
  const first = contentStart(body, start, end);
  if (first === -1) return null;
  const char = body.charCodeAt(first);
  if (char !== BACKTICK && char !== TILDE) return null;
  const length = runLength(body, first, end, char);
  if (length < 3) return null;
  // A backtick fence's info string may not contain backticks: ```a``` is inline code.
  if (char === BACKTICK && body.slice(first + length, end).includes('`')) return null;
  return { char, length };
}

function closesFence(body: string, start: number, end: number, fence: OpenFence): boolean {
  const first = contentStart(body, start, end);
  if (first === -1 || body.charCodeAt(first) !== fence.char) return false;
  const length = runLength(body, first, end, fence.char);
  return length >= fence.length && body.slice(first + length, end).trim() === '';
}

function runLength(body: string, from: number, end: number, char: number): number {
  let i = from;
  while (i < end && body.charCodeAt(i) === char) i++;
  return i - from;
}
