import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

/** Options for every frontmatter parse; parseSimpleYaml builds its schema from these too. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // YAML 1.2 core: `yes`/`no` stay strings and `010` is decimal, as most editors expect.
  schema: 'core',
  // Core alone leaves `2024-06-01` a string; notes use dates a lot, so read them as dates.
  customTags: ['timestamp'],
  // Explicit tags such as !!binary or !!set stay plain strings and maps; nothing executes.
  resolveKnownTags: false,
  uniqueKeys: true,
  // parseFrontmatter computes the file line itself; the pretty form reports the YAML line.
  prettyErrors: false,
  // Warnings (unknown tags) must never be printed from inside a library function.
  logLevel: 'silent',
};
