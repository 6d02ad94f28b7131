// The relevance set on disk: the corpus pages (paths relative to corpus/) and the labelled
// queries. Shared by the bench and the label check.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';

export const relevanceDir = fileURLToPath(new URL('.', import.meta.url));
export const corpusDir = join(relevanceDir, 'corpus');

/** Every markdown page of the corpus, as a repository path ('people/priya-raman.md'), sorted. */
export async function listCorpus() {
  const entries = await readdir(corpusDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => relative(corpusDir, join(e.parentPath ?? e.path, e.name)).split(sep).join('/'))
    .sort();
}

/** queries.json: `{ queries: [{ id, class, query, relevant: { path: grade } }] }`. */
export async function loadQueries() {
  return JSON.parse(await readFile(join(relevanceDir, 'queries.json'), 'utf8'));
}
