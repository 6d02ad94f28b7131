import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let loaded: Yaml | null = null;

/**
 * The `yaml` library, loaded on first use (synchronously: the parsers are synchronous).
 * Loading it costs ~55–75 ms of a run's main thread on a 2-core host, and a run whose
 * frontmatter parseSimpleYaml covers never needs it.
 */
export function yamlLibrary(): Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as Yaml);
}
