import { readFileSync } from 'node:fs';

/** brainsync's version, from the package.json next to dist/. */
export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
