// An unpaired UTF-16 surrogate: with the `u` flag a well-formed pair is one code point.
const LONE_SURROGATE = /\p{Cs}/u;
const EACH_LONE_SURROGATE = /\p{Cs}/gu;

/** Whether a path decoded by decodeGitPath holds bytes that were not valid UTF-8. */
export function isNotUtf8(path: string): boolean {
  return LONE_SURROGATE.test(path);
}

/**
 * The form of a git path that can be printed and stored: decodeGitPath's escapes for bytes
 * that are not UTF-8 (U+DC80…U+DCFF) become `\xHH`. Databases cannot store unpaired
 * surrogates, so any other one becomes `\uHHHH`. A valid UTF-8 path is returned unchanged.
 */
export function displayPath(path: string): string {
  if (!isNotUtf8(path)) return path;
  return path.replace(EACH_LONE_SURROGATE, (s) => {
    const code = s.charCodeAt(0);
    return code >= 0xdc80 && code <= 0xdcff
      ? `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
