import { chunkBody, type Chunk } from './chunkBody.js';
import { coerceFields } from './coerceFields.js';
import { decodeText } from './decodeText.js';
import { extractLinks, type Link } from './extractLinks.js';
import { parseFailure, type ParseFailure } from './parseFailure.js';
import { parseFrontmatter } from './parseFrontmatter.js';
import { resolveTitle } from './resolveTitle.js';
import { scanLines } from './scanLines.js';
import { sha256Hex } from './sha256Hex.js';
import { slugFromPath } from './slugFromPath.js';

export type { Chunk } from './chunkBody.js';
export type { Link } from './extractLinks.js';
export type { ParseFailure, ParseFailureCode } from './parseFailure.js';
export { slugFromPath } from './slugFromPath.js';

export interface ParsedPage {
  slug: string;
  title: string;
  type: string | null;
  tags: string[];
  /** JSON-safe: dates are ISO strings; no undefined, functions or non-finite numbers. */
  frontmatter: Record<string, unknown>;
  /** Text after the frontmatter block (LF line endings, no BOM). */
  body: string;
  /** sha256 hex of the whole decoded text: BOM removed, line endings normalised to LF. */
  contentHash: string;
  chunks: Chunk[];
  links: Link[];
}

export type ParseResult = { ok: true; page: ParsedPage } | ParseFailure;

export interface ParsePageOptions {
  /** Upper bound on chunk length in UTF-16 code units; a fenced code block may exceed it. */
  maxChunkChars?: number;
}

export const DEFAULT_MAX_CHUNK_CHARS = 2000;

/**
 * Most chunks and links one page may have. A note has tens to hundreds; a file of 500,000
 * empty headings (1 MB) made 500,000 chunks, held the process for 10 s with no heartbeat or
 * signal handled, and took 730 MB. A daily log of 4 MB with a heading per entry stays under.
 */
export const MAX_CHUNKS_PER_PAGE = 20_000;
export const MAX_LINKS_PER_PAGE = 20_000;

/**
 * Parses one markdown file. Pure and synchronous: no I/O, no logging. A file that cannot be
 * read as a page is returned as a failure with a user-facing message, never thrown, because
 * one bad file must not stop a sync. `path` is relative to the source root, `/`-separated.
 */
export function parsePage(path: string, content: Buffer, opts: ParsePageOptions = {}): ParseResult {
  const maxChunkChars = opts.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS;
  if (!Number.isInteger(maxChunkChars) || maxChunkChars < 1) {
    throw new RangeError(`maxChunkChars must be a positive integer, got ${maxChunkChars}`);
  }
  const decoded = decodeText(content);
  if (!decoded.ok) return decoded;
  const frontmatter = parseFrontmatter(decoded.text);
  if (!frontmatter.ok) return frontmatter;
  const { data, body } = frontmatter;
  const fields = coerceFields(data);
  const lines = scanLines(body);
  const chunks = chunkBody(body, lines, maxChunkChars, MAX_CHUNKS_PER_PAGE);
  if (chunks === null) {
    return parseFailure(
      'too_many_chunks',
      `the file would make more than ${MAX_CHUNKS_PER_PAGE.toLocaleString('en-US')} chunks (one or more per heading)`,
      'split it into several notes',
    );
  }
  const links = extractLinks(body, lines, path);
  if (links.length > MAX_LINKS_PER_PAGE) {
    return parseFailure(
      'too_many_links',
      `the file has ${links.length.toLocaleString('en-US')} distinct links, more than ${MAX_LINKS_PER_PAGE.toLocaleString('en-US')}`,
      'split it into several notes',
    );
  }
  const page: ParsedPage = {
    slug: slugFromPath(path),
    title: resolveTitle(fields.title, lines, path),
    type: fields.type,
    tags: fields.tags,
    frontmatter: data,
    body,
    contentHash: sha256Hex(decoded.text),
    chunks,
    links,
  };
  return { ok: true, page };
}
