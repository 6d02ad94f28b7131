import { sha256Hex } from './sha256Hex.js';

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
 * 6. If the file name itself left nothing (or only dots), as with `🚀.md` (emoji are symbols,
 *    not letters), it becomes `page-` + the first 8 hex digits of the SHA-256 of the NFC path:
 *    never empty, the same on every run, and different for `🚀.md` and `🎉.md`.
 *
 * Examples: `Projects/Q3 Plan.md` → `projects/q3-plan`; `a//b/ (draft) .MD` → `a/b/draft`;
 * `ideas/🚀.md` → `ideas/page-` + 8 hex digits.
 */

const MARKDOWN_EXTENSION = /\.(?:md|markdown)$/i;
const DISALLOWED_RUN = /[^\p{L}\p{M}\p{N}._-]+/gu;
const EDGE_DASHES = /^-+|-+$/g;
const ONLY_DOTS = /^\.*$/;

export function slugFromPath(path: string): string {
  const nfc = path.normalize('NFC');
  const cleaned = nfc
    .replace(MARKDOWN_EXTENSION, '')
    .toLowerCase()
    .split('/')
    .map((segment) => segment.replace(DISALLOWED_RUN, '-').replace(EDGE_DASHES, ''));
  const name = cleaned.pop()!;
  const segments = cleaned.filter((segment) => segment.length > 0);
  segments.push(ONLY_DOTS.test(name) ? `page-${sha256Hex(nfc).slice(0, 8)}` : name);
  return segments.join('/');
}
