import { yamlLibrary } from './yamlLibrary.js';

// Every level of YAML nesting needs one of these characters (`[`/`{` open flow collections,
// `-` block sequence items, `:` mapping values, `?` explicit keys), so text with few of them
// cannot nest deeply and skips the exact check.
const NESTING_INDICATOR = /[[{\-?:]/g;

/**
 * Whether YAML text nests deeper than `limit` levels. The `yaml` composer and `toJS` recurse
 * once per level and overflow the stack somewhere near a thousand; yaml's CST parser keeps
 * its own stack in an array, so walking it here costs no JS stack. Its stack holds the
 * document plus one entry per open collection, so it is compared with `limit + 1`.
 */
export function yamlNestsDeeperThan(yaml: string, limit: number): boolean {
  if ((yaml.match(NESTING_INDICATOR)?.length ?? 0) <= limit) return false;
  const { Lexer, Parser } = yamlLibrary();
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(yaml)) {
    for (const _token of parser.next(lexeme)) {
      // Completed top-level tokens need nothing here; only the open stack matters.
    }
    if (parser.stack.length > limit + 1) return true;
  }
  return false;
}
