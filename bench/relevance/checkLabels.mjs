// Checks the relevance set's labels against its corpus, mechanically:
// - every query has an id, a class (name | keyword | paraphrase), text, and at least one page of
//   grade 2; every labelled path is a page of the corpus; grades are 1 or 2;
// - a paraphrase query shares no word with any of its labelled pages: no lexeme in common after
//   Postgres's 'english' text search configuration (lower-casing, Snowball stemming, stop words
//   removed) — the same analysis text search uses. The page side is its path, its title as
//   brainsync resolves it, and its whole file, frontmatter included (stricter than search);
// - a name or keyword query shares at least one lexeme with its grade-2 pages.
// Exits 1 with a list of problems, else prints a summary. Run after `npm run build`:
//   node bench/relevance/checkLabels.mjs
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { listCorpus, loadQueries } from './relevanceSet.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { parsePage } = await import(pathToFileURL(resolve(here, '../../dist/markdown/parsePage.js')).href);

const paths = await listCorpus();
const { queries } = await loadQueries();
const problems = [];
const pg = new PGlite();
const lexemes = async (text) =>
  new Set((await pg.query(`select lexeme from unnest(to_tsvector('english', $1))`, [text])).rows.map((r) => r.lexeme));

const pageWords = new Map();
for (const path of paths) {
  const raw = await readFile(join(here, 'corpus', path));
  const parsed = parsePage(path, raw);
  if (!parsed.ok) problems.push(`${path}: does not parse (${parsed.code ?? 'failure'})`);
  const title = parsed.ok ? parsed.page.title : '';
  pageWords.set(path, await lexemes(`${path.replace(/[/_.-]/g, ' ')} ${title} ${raw.toString('utf8')}`));
}

const ids = new Set();
for (const q of queries) {
  const where = `query ${q.id ?? '?'} (${JSON.stringify(q.query)})`;
  if (!q.id || ids.has(q.id)) problems.push(`${where}: missing or duplicate id`);
  ids.add(q.id);
  if (!['name', 'keyword', 'paraphrase'].includes(q.class)) problems.push(`${where}: unknown class ${q.class}`);
  const labelled = Object.entries(q.relevant ?? {});
  if (!labelled.some(([, g]) => g === 2)) problems.push(`${where}: no page of grade 2`);
  const qWords = await lexemes(q.query);
  for (const [path, grade] of labelled) {
    if (grade !== 1 && grade !== 2) problems.push(`${where}: ${path} has grade ${grade}; use 1 or 2`);
    const words = pageWords.get(path);
    if (!words) {
      problems.push(`${where}: ${path} is not a page of the corpus`);
      continue;
    }
    const shared = [...qWords].filter((w) => words.has(w));
    if (q.class === 'paraphrase' && shared.length > 0) problems.push(`${where}: shares ${shared.join(', ')} with ${path}`);
    if (q.class !== 'paraphrase' && grade === 2 && shared.length === 0) problems.push(`${where}: shares no word with its answer ${path}`);
  }
}
await pg.close();

const byClass = {};
for (const q of queries) byClass[q.class] = (byClass[q.class] ?? 0) + 1;
const labels = queries.reduce((n, q) => n + Object.keys(q.relevant).length, 0);
console.log(`${paths.length} pages, ${queries.length} queries (${Object.entries(byClass).map(([c, n]) => `${n} ${c}`).join(', ')}), ${labels} labels`);
if (problems.length) {
  console.log(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('labels ok: every paraphrase query shares no lexeme with any of its labelled pages');
}
