import { expect } from 'vitest';
import { parsePage, type ParsedPage, type ParseResult } from '../../../src/markdown/parsePage.js';

/** Parses text that must parse; fails the test with the failure message otherwise. */
export function parseOk(path: string, text: string | Buffer, maxChunkChars?: number): ParsedPage {
  const result = parse(path, text, maxChunkChars);
  if (!result.ok) expect.fail(`expected ${path} to parse, got ${result.code}: ${result.message}`);
  return result.page;
}

export function parse(path: string, text: string | Buffer, maxChunkChars?: number): ParseResult {
  const content = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return parsePage(path, content, maxChunkChars === undefined ? {} : { maxChunkChars });
}
