/**
 * SQLSTATE classes that mean "the database refused this data", as opposed to a lost
 * connection, a cancelled statement, a full disk or a bug in a statement:
 * 21 cardinality violation, 22 data exception (bad encoding, bad json, value too long),
 * 23 integrity constraint violation (a unique slug), 54 program limit exceeded (a tsvector
 * or index row too big). A batch that fails with one of these is retried page by page, and
 * a page that still fails becomes a file failure instead of failing the run.
 */
const dataClasses = new Set(['21', '22', '23', '54']);

/** The SQLSTATE of a database error (pg and PGLite both put it in `code`), or null. */
export function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== null && dataClasses.has(state.slice(0, 2));
}

export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === '23505';
}
