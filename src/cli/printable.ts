// C0 controls, DEL and C1 controls. A terminal acts on them instead of showing them: ESC
// (and the C1 CSI/OSC) starts a sequence that can recolour, retitle or rewrite the screen,
// and CR or LF in a file name forges a line of its own in a cron log.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from a repository (a path, slug, title or failure message) made safe to print for a
 * person: each control character becomes a visible escape. `\n`, `\r` and `\t` as usual; any
 * other C0 control or DEL becomes `\xHH`, the byte itself, as displayPath writes bytes that are
 * not UTF-8 (those are 0x80 and up, so the two never collide); a C1 control, which is a valid
 * two-byte UTF-8 character, becomes `\u00HH`, so that it does not read as a stray byte.
 * Everything else (é, 🚀) is kept. Backslashes are not escaped: paths are stored in displayPath
 * form already, and doubling them would change the form users copy into commands. Human
 * output only: JSON output keeps the exact text.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return SHORT[c] ?? (code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}
