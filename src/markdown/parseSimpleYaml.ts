import { plainRule, resolvePlain } from './plainScalar.js';
import { MAX_FRONTMATTER_DEPTH } from './yamlOptions.js';

/**
 * A fast path for the frontmatter most notes have: block mappings (nested by indentation)
 * whose values are single-line scalars, one-line flow lists of plain scalars (`[a, b]`) or
 * block lists of scalars (`- a`). Full YAML parsing costs more than everything else
 * parsePage does put together, and this subset covers the common case.
 *
 * Returns null for anything outside the subset, and the caller then uses the full parser;
 * so every rule here may be stricter than YAML but never looser. Scalars are resolved with
 * the full parser's schema rules (plainScalar.ts, without loading the `yaml` library), which
 * keeps the two paths' results identical (a unit test compares them on many inputs). Nesting deeper than MAX_FRONTMATTER_DEPTH is
 * left to the full parser's path, which refuses it before it can overflow the stack.
 */
export function parseSimpleYaml(yaml: string): Record<string, unknown> | null {
  // Blank and comment-only lines never carry structure outside block scalars, which this
  // subset does not accept.
  const lines = yaml.split('\n').filter((line) => !/^ *(?:#.*)?$/.test(line));
  const parsed = parseMap(lines, 0, 0, 1);
  return parsed !== null && parsed.next === lines.length ? parsed.value : null;
}

interface Parsed<T> {
  value: T;
  /** Index of the first line after the parsed block. */
  next: number;
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$/;
const ITEM_LINE = /^-(?: +(.*))?$/;

function parseMap(lines: string[], start: number, indent: number, depth: number): Parsed<Record<string, unknown>> | null {
  if (depth > MAX_FRONTMATTER_DEPTH) return null;
  const out: Record<string, unknown> = {};
  let i = start;
  while (i < lines.length && indentOf(lines[i]) >= indent) {
    if (indentOf(lines[i]) > indent) return null;
    const entry = KEY_LINE.exec(lines[i].slice(indent));
    if (!entry || Object.hasOwn(out, entry[1]) || entry[1] === '__proto__') return null;
    // A key that would resolve to a bool or null (`true:`, `null:`) is not a string key.
    if (plainRule(entry[1]) !== null) return null;
    const [, key, rawValue = ''] = entry;
    i++;
    if (rawValue.trim() !== '') {
      const value = valueOf(rawValue.trimEnd());
      if (value === undefined) return null;
      out[key] = value;
      continue;
    }
    const nested = parseNested(lines, i, indent, depth + 1);
    if (nested === null) return null;
    out[key] = nested.value;
    i = nested.next;
  }
  return { value: out, next: i };
}

/** What follows `key:` with nothing after it: a block list, a deeper map, or null. */
function parseNested(lines: string[], start: number, indent: number, depth: number): Parsed<unknown> | null {
  if (start === lines.length) return { value: null, next: start };
  const nextIndent = indentOf(lines[start]);
  // A list may sit at the key's own indent (`key:` then `- a`); a map must be deeper.
  if (nextIndent >= indent && ITEM_LINE.test(lines[start].slice(nextIndent))) {
    return parseList(lines, start, nextIndent);
  }
  if (nextIndent > indent) return parseMap(lines, start, nextIndent, depth);
  return { value: null, next: start };
}

function parseList(lines: string[], start: number, indent: number): Parsed<unknown[]> | null {
  const out: unknown[] = [];
  let i = start;
  for (; i < lines.length && indentOf(lines[i]) === indent; i++) {
    const item = ITEM_LINE.exec(lines[i].slice(indent));
    if (!item) break;
    const value = item[1] === undefined ? null : blockScalar(item[1]);
    if (value === undefined) return null;
    out.push(value);
  }
  return { value: out, next: i };
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 0x20) i++;
  return i;
}

/** A value written on the key's own line: a flow list or a scalar. */
function valueOf(text: string): unknown {
  if (!text.startsWith('[')) return blockScalar(text);
  if (!text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const items: unknown[] = [];
  for (const part of inner.split(',')) {
    const item = part.trim();
    if (!isSafePlain(item, /[,[\]{}:#]/)) return undefined;
    items.push(resolvePlain(item));
  }
  return items;
}

/** A single-line scalar in block context, or undefined if it is outside the subset. */
function blockScalar(raw: string): unknown {
  const text = raw.trimEnd();
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const inner = text.slice(1, -1);
    // No escapes: a backslash in "…" and a doubled '' in '…' would need unescaping.
    const unsafe = quote === '"' ? /["\\]/ : /'/;
    if (text.length < 2 || !text.endsWith(quote) || unsafe.test(inner) || hasControl(inner)) return undefined;
    return inner;
  }
  // `: ` or a trailing `:` would start a nested map, ` #` a comment; bail on any `#` or tab.
  if (!isSafePlain(text, /: |:$|[#\t]/)) return undefined;
  return resolvePlain(text);
}

// Characters that may not start a plain scalar, or that make it mean something else.
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

function isSafePlain(text: string, forbidden: RegExp): boolean {
  return text !== '' && !INDICATOR_START.test(text) && !forbidden.test(text) && !hasControl(text);
}

function hasControl(text: string): boolean {
  return /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\ufffe\uffff]/.test(text);
}
