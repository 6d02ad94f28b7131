/**
 * Converts a parsed YAML value into plain JSON data, because frontmatter is stored as jsonb
 * and compared between runs. Dates become strings (see formatDate), non-finite numbers become
 * null (as JSON.stringify would), undefined and functions are dropped, Maps and Sets become
 * objects and arrays. YAML anchors can make a value contain itself; the repeated reference
 * becomes null instead of recursing forever.
 *
 * Throws NestingTooDeepError for containers nested more than `maxDepth` deep: aliases can
 * nest a value far deeper than its text does, and recursing into it could overflow the stack.
 */
export function toJsonSafe(value: unknown, maxDepth = Infinity): unknown {
  return convert(value, new Set(), maxDepth);
}

export class NestingTooDeepError extends RangeError {
  constructor(readonly maxDepth: number) {
    super(`nested more than ${maxDepth} levels deep`);
    this.name = 'NestingTooDeepError';
  }
}

/**
 * A date with no time of day (UTC midnight, which is how YAML reads `2024-06-01`) becomes
 * `YYYY-MM-DD`; any other date becomes a full ISO 8601 string in UTC.
 */
export function formatDate(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function convert(value: unknown, ancestors: Set<object>, depthLeft: number): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value instanceof Date) return formatDate(value);
  if (ancestors.has(value)) return null;
  if (depthLeft < 1) throw new NestingTooDeepError(ancestors.size);
  ancestors.add(value);
  try {
    return convertContainer(value, ancestors, depthLeft - 1);
  } finally {
    ancestors.delete(value);
  }
}

function convertContainer(value: object, ancestors: Set<object>, depthLeft: number): unknown {
  if (Array.isArray(value) || value instanceof Set) {
    return Array.from(value, (item) => convert(item, ancestors, depthLeft) ?? null);
  }
  if (ArrayBuffer.isView(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  const entries = value instanceof Map ? value.entries() : Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const converted = convert(item, ancestors, depthLeft);
    if (converted !== undefined) setOwn(out, String(key), converted);
  }
  return out;
}

// A plain assignment to `__proto__` would replace the object's prototype instead of adding a
// key, silently losing the user's data.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
