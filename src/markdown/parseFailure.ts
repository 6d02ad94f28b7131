export type ParseFailureCode =
  | 'invalid_utf8' | 'binary' | 'invalid_yaml' | 'invalid_frontmatter' | 'unterminated_frontmatter' | 'too_many_chunks' | 'too_many_links';

export interface ParseFailure {
  ok: false;
  code: ParseFailureCode;
  message: string;
}

/** Every failure message ends by telling the user what happens next and what to do. */
const SKIPPED = 'The file was skipped and recorded;';

export function parseFailure(code: ParseFailureCode, problem: string, remedy: string): ParseFailure {
  return { ok: false, code, message: `${problem}. ${SKIPPED} ${remedy} and the next sync retries it.` };
}
