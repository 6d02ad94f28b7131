/**
 * Byte offset of the first byte that starts an invalid UTF-8 sequence, or -1 if the bytes
 * are valid. Only called after the fatal TextDecoder has already refused the bytes, to say
 * where the problem is; it follows the same rules (no overlong forms, no surrogates, nothing
 * above U+10FFFF).
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(lead);
    if (length === 0 || i + length > bytes.length) return i;
    let codePoint = lead & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < MIN_CODE_POINT[length] || codePoint > 0x10ffff) return i;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) return i;
    i += length;
  }
  return -1;
}

// Smallest code point each sequence length may encode; anything lower is an overlong form.
const MIN_CODE_POINT = [0, 0, 0x80, 0x800, 0x10000];

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
