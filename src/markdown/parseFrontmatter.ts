import { findUnstorableText } from './findUnstorableText.js';
import { parseFailure, type ParseFailure } from './parseFailure.js';
import { parseSimpleYaml } from './parseSimpleYaml.js';
import { NestingTooDeepError, toJsonSafe } from './toJsonSafe.js';
import { yamlNestsDeeperThan } from './yamlNestsDeeperThan.js';
import { yamlLibrary } from './yamlLibrary.js';
import { MAX_FRONTMATTER_DEPTH, YAML_OPTIONS } from './yamlOptions.js';

export interface Frontmatter {
  ok: true;
  data: Record<string, unknown>;
  body: string;
}

// Bounds the work a hostile file can cause through nested aliases ("billion laughs").
const MAX_ALIAS_COUNT = 100;
// The YAML text starts on the second line of the file, after the opening `---`.
const FIRST_YAML_LINE = 2;
const REMEDY = 'fix it';

/**
 * Splits a leading `---` … `---` (or `...`) block from the text and parses it as YAML. A text
 * that does not start with a `---` line has no frontmatter. One that does but never closes
 * the block is refused (unterminated_frontmatter): importing the YAML as body text would hide
 * the note's title and tags without a word, and a `---` meant as a horizontal rule is rare
 * in the first line and easy to keep (an empty line above it).
 */
export function parseFrontmatter(text: string): Frontmatter | ParseFailure {
  const block = findBlock(text);
  if (block === null) return { ok: true, data: {}, body: text };
  if (block === 'unterminated') {
    return parseFailure(
      'unterminated_frontmatter',
      'frontmatter is not closed: the first line is `---`, but no `---` (or `...`) line ends the block',
      'add the closing `---` line after the frontmatter (if the first `---` is a horizontal rule, put an empty line above it)',
    );
  }
  const { yaml, body } = block;
  const simple = parseSimpleYaml(yaml);
  const parsed = simple ? toStorable(simple) : parseYaml(yaml);
  return parsed.ok ? { ok: true, data: parsed.data, body } : parsed;
}

/** JSON-safe data the database can store, or the failure that says which field it cannot. */
function toStorable(value: unknown): { ok: true; data: Record<string, unknown> } | ParseFailure {
  let data: Record<string, unknown>;
  try {
    data = toJsonSafe(value, MAX_FRONTMATTER_DEPTH) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof NestingTooDeepError) return tooDeep();
    throw error;
  }
  const problem = findUnstorableText(data);
  return problem === null ? { ok: true, data } : parseFailure('invalid_frontmatter', `invalid frontmatter: ${problem}`, 'remove the character');
}

function tooDeep(): ParseFailure {
  return parseFailure(
    'invalid_frontmatter',
    `invalid frontmatter: it is nested too deeply (more than ${MAX_FRONTMATTER_DEPTH} levels)`,
    'flatten it',
  );
}

/** The full YAML parser, for everything parseSimpleYaml does not handle. */
function parseYaml(yaml: string): { ok: true; data: Record<string, unknown> } | ParseFailure {
  // Checked first: the composer below recurses once per level and would overflow the stack.
  if (yamlNestsDeeperThan(yaml, MAX_FRONTMATTER_DEPTH)) return tooDeep();
  const { isMap, isScalar, isSeq, parseDocument } = yamlLibrary();
  const doc = parseDocument(yaml, YAML_OPTIONS);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    // yaml turns a stack overflow inside its composer into this error; never expected after
    // the depth check above, but the user should then read the same plain message.
    if (error.code === 'RESOURCE_EXHAUSTION') return tooDeep();
    const line = lineAt(yaml, error.pos?.[0] ?? 0);
    const reason = error.message.replace(/\.$/, '');
    return parseFailure('invalid_yaml', `invalid frontmatter YAML at line ${line}: ${reason}`, REMEDY);
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { ok: true, data: {} };
  }
  if (!isMap(contents)) {
    const found = isSeq(contents) ? 'a list' : `a single value (${describeScalar(isScalar(contents) ? contents.value : contents)})`;
    const line = lineAt(yaml, contents.range?.[0] ?? 0);
    const problem = `invalid frontmatter at line ${line}: expected a mapping of keys to values, found ${found}`;
    return parseFailure('invalid_frontmatter', problem, REMEDY);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // A chain of aliases can nest deeper than the text does; yaml's alias counting recurses.
    if (error instanceof RangeError) return tooDeep();
    const reason = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
    return parseFailure('invalid_yaml', `invalid frontmatter YAML at line ${FIRST_YAML_LINE}: ${reason}`, REMEDY);
  }
  return toStorable(value);
}

function findBlock(text: string): { yaml: string; body: string } | 'unterminated' | null {
  const opening = /^---[ \t]*\n/.exec(text);
  if (!opening) return null;
  const yamlStart = opening[0].length;
  let lineStart = yamlStart;
  for (;;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    if (isClosingLine(text.slice(lineStart, lineEnd))) {
      return { yaml: text.slice(yamlStart, lineStart), body: text.slice(Math.min(lineEnd + 1, text.length)) };
    }
    if (lineEnd === text.length) return 'unterminated';
    lineStart = lineEnd + 1;
  }
}

function isClosingLine(line: string): boolean {
  return (line.startsWith('---') || line.startsWith('...')) && line.slice(3).trim() === '';
}

/** File line number of an offset into the YAML text. */
function lineAt(yaml: string, offset: number): number {
  // Errors found at the end of input point past the last newline, which is the closing
  // `---` line; the user's mistake is on the last YAML line.
  const clamped = Math.max(0, Math.min(offset, yaml.endsWith('\n') ? yaml.length - 1 : yaml.length));
  let line = FIRST_YAML_LINE;
  for (let i = yaml.indexOf('\n'); i !== -1 && i < clamped; i = yaml.indexOf('\n', i + 1)) line++;
  return line;
}

function describeScalar(value: unknown): string {
  if (value instanceof Date) return 'a date';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
