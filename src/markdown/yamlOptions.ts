import type { DocumentOptions, ParseOptions, ScalarTag, SchemaOptions } from 'yaml';
import { resolveTimestamp, timestampPattern } from './plainScalar.js';

/**
 * YAML 1.1 timestamps as both frontmatter parsers read them (plainScalar.ts): yaml's own tag
 * lets a date that does not exist (`2024-13-45`) roll over into one that does (`2025-02-14`);
 * this one keeps such text as it is written.
 */
const timestamp: ScalarTag = {
  identify: (value) => value instanceof Date,
  default: true,
  tag: 'tag:yaml.org,2002:timestamp',
  test: timestampPattern,
  resolve: (text) => resolveTimestamp(text),
};

/** Options for every frontmatter parse; parseSimpleYaml builds its schema from these too. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // YAML 1.2 core: `yes`/`no` stay strings and `010` is decimal, as most editors expect.
  schema: 'core',
  // Core alone leaves `2024-06-01` a string; notes use dates a lot, so read them as dates.
  customTags: [timestamp],
  // Explicit tags such as !!binary or !!set stay plain strings and maps; nothing executes.
  resolveKnownTags: false,
  uniqueKeys: true,
  // parseFrontmatter computes the file line itself; the pretty form reports the YAML line.
  prettyErrors: false,
  // Warnings (unknown tags) must never be printed from inside a library function.
  logLevel: 'silent',
};

/**
 * How deeply frontmatter may nest (a top-level mapping is depth 1). Every recursive step of
 * the parsers and converters is bounded by this, so a hostile file can never reach a stack
 * overflow: V8 recovers from most overflows, but one inside regular-expression compilation
 * was seen to leave the process to die later of "out of memory". No note needs 100 levels.
 */
export const MAX_FRONTMATTER_DEPTH = 100;
