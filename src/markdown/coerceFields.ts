export interface PageFields {
  /** Frontmatter title, or null when it is missing or blank (the caller falls back). */
  title: string | null;
  type: string | null;
  tags: string[];
}

/**
 * Reads title, type and tags from JSON-safe frontmatter (dates already turned into strings by
 * toJsonSafe). Never fails: notes are hand-written, and an odd value should cost the user one
 * field, not the whole page. So `title: 1984` is "1984", `tags: "a, b c"` is three tags, and
 * a value of an unusable shape (a map where a string is expected) is ignored.
 */
export function coerceFields(frontmatter: Record<string, unknown>): PageFields {
  return {
    title: scalarText(frontmatter.title),
    type: scalarText(frontmatter.type),
    tags: coerceTags(frontmatter.tags),
  };
}

/** Trimmed text of a string, number or boolean; null for anything else or for blank text. */
function scalarText(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return null;
  const text = String(value).trim();
  return text.length > 0 ? text : null;
}

function coerceTags(value: unknown): string[] {
  let candidates: unknown[];
  if (Array.isArray(value)) candidates = value;
  else if (typeof value === 'string') candidates = value.split(/[\s,]+/);
  else candidates = [value];
  const tags = new Set<string>();
  for (const candidate of candidates) {
    const tag = scalarText(candidate);
    if (tag !== null) tags.add(tag);
  }
  return [...tags];
}
