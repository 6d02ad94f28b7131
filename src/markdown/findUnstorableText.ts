// A YAML escape can produce text that no UTF-8 database column holds: `\0` (Postgres text
// and jsonb refuse U+0000) and `\uD800`, an unpaired UTF-16 surrogate, which is not a
// Unicode character at all. With the `u` flag, a well-formed surrogate pair is one code
// point and does not match `\p{Cs}`; only an unpaired half does.
const NUL = /\0/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Names the first key or string value of JSON-safe frontmatter that the database cannot
 * store, with what is wrong with it, or returns null when everything can be stored. Field
 * names are written JSON-style (`"meta.authors[1]"`), so the result itself is storable.
 */
export function findUnstorableText(data: Record<string, unknown>): string | null {
  return visit(data, '');
}

function visit(value: unknown, field: string): string | null {
  if (typeof value === 'string') return problemWith(value, `${JSON.stringify(field)}`);
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = visit(value[i], `${field}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = problemWith(key, `the key ${JSON.stringify(key)}${field === '' ? '' : ` in ${JSON.stringify(field)}`}`);
    if (keyProblem !== null) return keyProblem;
    const found = visit(item, field === '' ? key : `${field}.${key}`);
    if (found !== null) return found;
  }
  return null;
}

function problemWith(text: string, what: string): string | null {
  if (NUL.test(text)) return `${what} contains a NUL character (\\0), which the database cannot store`;
  if (LONE_SURROGATE.test(text)) {
    return `${what} contains an unpaired UTF-16 surrogate (an escape such as \\uD800), which is not a Unicode character and the database cannot store`;
  }
  return null;
}
