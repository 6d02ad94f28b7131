import { findInvalidUtf8 } from './findInvalidUtf8.js';
import { parseFailure, type ParseFailure } from './parseFailure.js';

// ignoreBOM keeps a BOM in the output so that stripping it is explicit below, not a
// decoder default. One instance is reused: non-streaming decode() calls share no state.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BOM = 0xfeff;
const NUL = 0;

/**
 * Turns file bytes into the text every later step works on: UTF-8, no leading BOM, and LF
 * line endings only (CRLF and lone CR both become LF, as CommonMark treats all three as line
 * ends), so offsets, chunk text and hashes do not depend on the editor that saved the file.
 */
export function decodeText(content: Uint8Array): { ok: true; text: string } | ParseFailure {
  const nul = content.indexOf(NUL);
  if (nul !== -1) {
    return parseFailure(
      'binary',
      `file contains a NUL byte at byte offset ${nul}, so it is treated as binary, not markdown`,
      'if it is a note, remove the NUL bytes',
    );
  }
  let text: string;
  try {
    text = decoder.decode(content);
  } catch {
    const offset = findInvalidUtf8(content);
    const line = countLineFeeds(content, offset) + 1;
    return parseFailure(
      'invalid_utf8',
      `file is not valid UTF-8: invalid byte sequence at line ${line} (byte offset ${offset})`,
      're-save it as UTF-8',
    );
  }
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { ok: true, text };
}

function countLineFeeds(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) count++;
  return count;
}
