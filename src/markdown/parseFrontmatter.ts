import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { parseFailure, type ParseFailure } from './parseFailure.js';
import { parseSimpleYaml } from './parseSimpleYaml.js';
import { toJsonSafe } from './toJsonSafe.js';
import { YAML_OPTIONS } from './yamlOptions.js';

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
 * Splits a leading `---` … `---` (or `...`) block from the text and parses it as YAML.
 * A text without such a block, or whose block is never closed, has no frontmatter: the
 * opening `---` is then an ordinary thematic break.
 */
export function parseFrontmatter(text: string): Frontmatter | ParseFailure {
  const block = findBlock(text);
  if (!block) return { ok: true, data: {}, body: text };
  const { yaml, body } = block;
  const simple = parseSimpleYaml(yaml);
  if (simple) return { ok: true, data: toJsonSafe(simple) as Record<string, unknown>, body };
  const parsed = parseYaml(yaml);
  return parsed.ok ? { ok: true, data: parsed.data, body } : parsed;
}

/** The full YAML parser, for everything parseSimpleYaml does not handle. */
function parseYaml(yaml: string): { ok: true; data: Record<string, unknown> } | ParseFailure {
  const doc = parseDocument(yaml, YAML_OPTIONS);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = lineAt(yaml, error.pos?.[0] ?? 0);
    const reason = error.message.replace(/\.$/, '');
    return parseFailure('invalid_yaml', `invalid frontmatter YAML at line ${line}: ${reason}`, REMEDY);
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { ok: true, data: {} };
  }
  if (!isMap(contents)) {
    const found = isSeq(contents) ? 'a list' : `a single value (${describeScalar(contents)})`;
    const line = lineAt(yaml, contents.range?.[0] ?? 0);
    const problem = `invalid frontmatter at line ${line}: expected a mapping of keys to values, found ${found}`;
    return parseFailure('invalid_frontmatter', problem, REMEDY);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
    return parseFailure('invalid_yaml', `invalid frontmatter YAML at line ${FIRST_YAML_LINE}: ${reason}`, REMEDY);
  }
  return { ok: true, data: toJsonSafe(value) as Record<string, unknown> };
}

function findBlock(text: string): { yaml: string; body: string } | null {
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
    if (lineEnd === text.length) return null;
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

function describeScalar(node: unknown): string {
  const value = isScalar(node) ? node.value : node;
  if (value instanceof Date) return 'a date';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
