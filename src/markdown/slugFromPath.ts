/**
 * The slug rule. Slugs are stored and used as link targets, so this rule is a storage
 * contract: changing it changes every page's identity in links.
 *
 * 1. Unicode-normalise the path to NFC, so a name typed on one system and committed from
 *    another (macOS writes decomposed accents) gives the same slug.
 * 2. Strip a trailing `.md` or `.markdown` extension (any letter case).
 * 3. Lower-case (locale-independent).
 * 4. Split at `/`. In each segment, every run of characters other than letters, marks,
 *    digits, `.`, `_` and `-` (`[^\p{L}\p{M}\p{N}._-]`) becomes one `-`; then `-` is trimmed
 *    from both ends of the segment. Marks are kept because many scripts (Devanagari, Thai)
 *    write vowels as combining marks that NFC does not fold into letters.
 * 5. Drop empty segments and join the rest with `/`.
 *
 * Examples: `Projects/Q3 Plan.md` → `projects/q3-plan`; `a//b/ (draft) .MD` → `a/b/draft`.
 */

const MARKDOWN_EXTENSION = /\.(?:md|markdown)$/i;
const DISALLOWED_RUN = /[^\p{L}\p{M}\p{N}._-]+/gu;
const EDGE_DASHES = /^-+|-+$/g;

export function slugFromPath(path: string): string {
  const lower = path.normalize('NFC').replace(MARKDOWN_EXTENSION, '').toLowerCase();
  const segments: string[] = [];
  for (const segment of lower.split('/')) {
    const cleaned = segment.replace(DISALLOWED_RUN, '-').replace(EDGE_DASHES, '');
    if (cleaned.length > 0) segments.push(cleaned);
  }
  return segments.join('/');
}
