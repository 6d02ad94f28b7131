import { isScalar, Schema, type ScalarTag } from 'yaml';
import { YAML_OPTIONS } from './yamlOptions.js';

/**
 * A fast path for the frontmatter most notes have: top-level `key: value` lines whose values
 * are single-line scalars, one-line flow lists of plain scalars (`[a, b]`) or block lists of
 * scalars (`- a`). Full YAML parsing costs more than everything else parsePage does put
 * together, and this subset covers the common case.
 *
 * Returns null for anything outside the subset, and the caller then uses the full parser;
 * so every rule here may be stricter than YAML but never looser. Scalars are resolved with
 * the same schema tags the full parser uses, which keeps the two paths' results identical
 * (a unit test compares them on many inputs).
 */
export function parseSimpleYaml(yaml: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let listKey: string | null = null;
  let listIndent = -1;
  for (const line of yaml.split('\n')) {
    if (/^ *(?:#.*)?$/.test(line)) continue;
    const item = /^( *)-(?: +(.*))?$/.exec(line);
    if (item) {
      if (listKey === null || (listIndent !== -1 && item[1].length !== listIndent)) return null;
      listIndent = item[1].length;
      const value = item[2] === undefined ? null : blockScalar(item[2]);
      if (value === undefined) return null;
      const list = (out[listKey] ??= []) as unknown[];
      list.push(value);
      continue;
    }
    const entry = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$/.exec(line);
    if (!entry || Object.hasOwn(out, entry[1]) || entry[1] === '__proto__') return null;
    if (plainTag(entry[1]) !== null) return null;
    const [, key, rawValue = ''] = entry;
    const value = valueOf(rawValue.trimEnd());
    if (value === undefined) return null;
    out[key] = value;
    // Only a key with nothing after it may own the block list below; `key: ~` may not.
    listKey = rawValue.trim() === '' ? key : null;
    listIndent = -1;
  }
  return out;
}

// Built once: constructing a schema resolves tag names and is not free.
const schemaTags = new Schema(YAML_OPTIONS).tags.filter(
  (tag): tag is ScalarTag => tag.default === true && 'test' in tag && tag.test !== undefined,
);

/** The tag that a plain scalar resolves to, or null for a string (as in yaml's composer). */
function plainTag(text: string): ScalarTag | null {
  return schemaTags.find((tag) => tag.test?.test(text)) ?? null;
}

function resolvePlain(text: string): unknown {
  const tag = plainTag(text);
  if (tag === null) return text;
  const resolved = tag.resolve(text, () => undefined, { intAsBigInt: false });
  return isScalar(resolved) ? resolved.value : resolved;
}

/** A map value: null when empty (a block list may follow), else a list or a scalar. */
function valueOf(text: string): unknown {
  if (text === '') return null;
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
