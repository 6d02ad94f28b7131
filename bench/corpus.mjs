#!/usr/bin/env node
// Deterministic corpus generator for brainsync benchmarks and long tests.
//
// Plain JavaScript ES module, Node 20, no dependencies. It shells out to git
// (a bench tool, not the product).
//
//   import { createCorpusRepo, changeCorpus } from './bench/corpus.mjs';
//   const { dir, head, paths } = await createCorpusRepo('/tmp/c10k', { pages: 10000, seed: 1 });
//   const head2 = await changeCorpus(dir, { modify: 100, add: 10, remove: 5, rename: 5 });
//
//   node bench/corpus.mjs DIR [--pages N] [--seed S] [--branch B]
//
// Same options => byte-identical files, and (because author/committer and dates are
// fixed) the same commit shas.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readdir, readFile, rename as fsRename, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const execFileP = promisify(execFile);

// ---------------------------------------------------------------------------
// PRNG

/** mulberry32: tiny, fast, good enough for test data. Returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mix a string (e.g. a commit sha) into a 32-bit seed (FNV-1a). */
function hashSeed(seed, str) {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
    this.spare = null;
  }
  float() { return this.next(); }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); } // inclusive
  chance(p) { return this.next() < p; }
  pick(arr) { return arr[Math.floor(this.next() * arr.length)]; }
  /** Standard normal (Box–Muller). */
  normal() {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** k distinct indices from [0, n), in draw order (partial Fisher–Yates over a sparse map). */
  sample(n, k) {
    if (k > n) throw new Error(`cannot sample ${k} of ${n}`);
    const swapped = new Map();
    const out = [];
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.next() * (n - i));
      const vi = swapped.has(i) ? swapped.get(i) : i;
      const vj = swapped.has(j) ? swapped.get(j) : j;
      swapped.set(j, vi);
      out.push(vj);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Vocabulary

const TITLE_WORDS = (
  'access account adapter agenda alert analysis anchor api archive audit backfill backlog ' +
  'backup baseline batch benchmark billing blueprint boundary branch bridge budget buffer ' +
  'build cache calendar campaign canary capacity catalog change channel checklist checkpoint ' +
  'client cluster cohort commit compass compliance config contract cost coverage crawler ' +
  'customer dashboard data database deadline debt decision dependency deploy design digest ' +
  'discovery docs domain draft edge embedding endpoint engine error estimate event experiment ' +
  'export failover feature feedback field filter flag forecast format framework funnel garden ' +
  'gateway glossary goal graph guide handoff harbor health hiring hook import incident index ' +
  'ingest inventory invoice journal kernel ladder latency launch layer ledger library lighthouse ' +
  'limit lineage load lock log loop map marker memo merge metric migration milestone mirror ' +
  'model module monitor network notebook offsite onboarding orbit outage owner package pager ' +
  'parser partner patch pattern payment pipeline plan platform playbook policy pool portal ' +
  'postmortem pricing priority privacy process profile prototype proxy query queue quota ' +
  'ranking readme recap recovery refactor region release replica report request research ' +
  'retention retro review rollout roadmap routing runbook sampling schema search security ' +
  'segment sensor server session shard signal sketch snapshot source spec sprint staging ' +
  'standup storage strategy stream summary survey sync system table target task template ' +
  'tenant test ticket timeline token topology tracker traffic training trial upgrade usage ' +
  'vault vector vendor version vision warehouse webhook window workflow workshop'
).split(' ');

const TITLE_ADJ = (
  'annual async automated basic central cold daily early fast final first global hot ' +
  'incremental internal legacy live local manual monthly new nightly offline open partial ' +
  'primary private public quarterly quick regional remote secondary shared short simple ' +
  'small stable weekly'
).split(' ');

const PROPER = (
  'Atlas Beacon Cobalt Delta Ember Falcon Granite Harbor Iris Juniper Kestrel Lumen Meridian ' +
  'Nimbus Orchid Pioneer Quartz Raven Sierra Tundra Umber Vesper Willow Zephyr'
).split(' ');

const PEOPLE = (
  'Ana Bilal Chen Dara Elif Farah Gus Hana Ivo Jonas Keiko Lena Mateo Nadia Omar Priya ' +
  'Quinn Rosa Sami Tomas Uma Viktor Wen Yusuf Zoe'
).split(' ');

const BODY_WORDS = (
  'the a an of to in for on with by from at as and or but so then because while after ' +
  'before during when if that this these those it we they our their its team service ' +
  'system page note source branch commit index query table row column batch worker queue ' +
  'lock token budget run wave cron job process file path link chunk vector model embedding ' +
  'database schema migration release deploy rollout incident alert metric latency error ' +
  'retry timeout signal heartbeat bookmark target plan import export sync mirror cache ' +
  'request response client server network disk memory cpu thread pool limit quota cost ' +
  'should could would will can must may might need needs needed want wanted keep keeps ' +
  'kept move moved check checked run runs ran write writes wrote read reads store stores ' +
  'stored fix fixed fixes add added remove removed rename renamed change changed update ' +
  'updated measure measured test tested ship shipped review reviewed agree agreed decide ' +
  'decided explain explained expect expected follow followed start started stop stopped ' +
  'small large slow fast fresh stale stable flaky simple clear careful cheap expensive ' +
  'early late first last next previous current new old same different whole partial ' +
  'every each some most many few more less enough only also still already again soon ' +
  'usually often rarely never always probably clearly roughly mostly nearly exactly ' +
  'week month quarter day hour minute morning afternoon meeting customer user operator ' +
  'owner reviewer manager engineer designer analyst support question answer problem idea ' +
  'risk goal result reason trade-off detail example summary draft proposal decision ' +
  'feedback estimate number count size rate percent baseline spike trend step phase ' +
  'nightly weekly daily manual automatic local remote shared internal external'
).split(' ');

// A little non-ASCII text, so UTF-8 handling is exercised (file names stay ASCII).
const NON_ASCII = ['café', 'naïve', 'façade', 'résumé', 'déjà vu', 'Zürich', 'São Paulo', 'Malmö', '½', '→', '✓'];

const FOLDERS_TOP = (
  'projects areas resources archive engineering product research operations team journal'
).split(' ');

const FOLDERS = (
  'meetings people howto reference runbooks specs incidents retros planning design backend ' +
  'frontend data ml infra security hiring finance marketing support clients vendors reading ' +
  'ideas decisions onboarding releases experiments analytics platform mobile search billing ' +
  'storage networking observability tooling 2021 2022 2023 2024 q1 q2 q3 q4 notes misc'
).split(' ');

const TAGS = (
  'project meeting person howto reference idea decision incident retro planning design ' +
  'backend frontend data ml infra security hiring finance reading todo draft important ' +
  'q1 q2 q3 q4 2023 2024 okr customer vendor release experiment metrics oncall runbook ' +
  'spec review onboarding research prototype archive ops search storage sync'
).split(' ');

const NESTED_TAGS = ['area/infra', 'area/product', 'area/people', 'status/active', 'status/done', 'status/blocked'];

const TYPES = ['note', 'note', 'note', 'project', 'meeting', 'person', 'howto', 'reference', 'idea', 'decision', 'journal', 'spec'];

const CODE_SNIPPETS = [
  ['bash', 'git fetch origin main\ngit diff --raw -M "$BOOKMARK" "$TARGET" | head -n 20\n'],
  ['bash', 'for f in $(git ls-files "*.md"); do\n  wc -c "$f"\ndone | sort -n | tail -n 5\n'],
  ['sql', 'SELECT source, count(*) AS pages\nFROM pages\nGROUP BY source\nORDER BY pages DESC;\n'],
  ['sql', 'UPDATE sources\n   SET bookmark_commit = $1\n WHERE name = $2;\n'],
  ['ts', 'export async function retry<T>(fn: () => Promise<T>, tries = 3): Promise<T> {\n  let last: unknown;\n  for (let i = 0; i < tries; i++) {\n    try { return await fn(); } catch (e) { last = e; }\n  }\n  throw last;\n}\n'],
  ['ts', 'const limit = pLimit(4);\nawait Promise.all(paths.map((p) => limit(() => importPage(p))));\n'],
  ['json', '{\n  "name": "notes",\n  "branch": "main",\n  "embed": { "provider": "glove", "dims": 100 }\n}\n'],
  ['yaml', 'sources:\n  - name: notes\n    repo: ./notes\n    branch: main\n  - name: wiki\n    repo: git@example.com:team/wiki.git\n'],
  ['python', 'import json\n\nwith open("report.json") as fh:\n    data = json.load(fh)\nprint(sum(r["pages"] for r in data["sources"]))\n'],
  ['', '*/5 * * * * brainsync sync --all --timeout 240 >> /var/log/brainsync.log 2>&1\n'],
];

// ---------------------------------------------------------------------------
// Text helpers

const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);
const slug = (title) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function makeTitle(rng) {
  const r = rng.float();
  const n = rng.int(1, 3);
  const words = [];
  while (words.length < n) {
    const w = cap(rng.pick(TITLE_WORDS));
    if (!words.includes(w)) words.push(w);
  }
  if (r < 0.08) return `${rng.pick(PROPER)} ${words.join(' ')}`;
  if (r < 0.14) return `How to ${rng.pick(['Run', 'Debug', 'Rotate', 'Restore', 'Tune', 'Review', 'Plan', 'Migrate'])} ${words.join(' ')}`;
  if (r < 0.18) return `${rng.pick(PEOPLE)} ${words[0]} Notes`;
  if (r < 0.22) return `${words.join(' ')} ${isoDate(rng, 2021, 2024)}`;
  if (r < 0.45) return `${cap(rng.pick(TITLE_ADJ))} ${words.join(' ')}`;
  if (words.length === 1) {
    const w = cap(rng.pick(TITLE_WORDS));
    words.push(w === words[0] ? 'Notes' : w);
  }
  return words.join(' ');
}

function isoDate(rng, y0, y1) {
  const y = rng.int(y0, y1);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Link target picker: a third of links go to "hub" pages (the first ~1%), the rest uniform. */
function pickTarget(rng, pages, self) {
  const hubs = Math.max(1, Math.floor(pages.length / 100));
  for (let tries = 0; tries < 4; tries++) {
    const i = rng.chance(0.33) ? rng.int(0, hubs - 1) : rng.int(0, pages.length - 1);
    if (i !== self || pages.length === 1) return pages[i];
  }
  return pages[(self + 1) % pages.length];
}

function relLink(fromPath, toPath) {
  let rel = path.posix.relative(path.posix.dirname(fromPath), toPath);
  return rel.split('/').map((s) => encodeURIComponent(s)).join('/');
}

class Writer {
  constructor(rng, pages, self, selfPath) {
    this.rng = rng;
    this.pages = pages; // [{ title, path }]
    this.self = self;
    this.selfPath = selfPath;
  }
  link() {
    const { rng } = this;
    const t = pickTarget(rng, this.pages, this.self);
    const r = rng.float();
    if (r < 0.7) return `[[${t.title}]]`;
    if (r < 0.8) return `[[${t.title}|${rng.pick(BODY_WORDS)} ${rng.pick(BODY_WORDS)}]]`;
    if (r < 0.97) return `[${t.title.toLowerCase()}](${relLink(this.selfPath, t.path)})`;
    // a dangling wikilink, as real notes have
    return `[[${cap(rng.pick(TITLE_WORDS))} ${cap(rng.pick(TITLE_WORDS))} (todo)]]`;
  }
  sentence(lo = 6, hi = 18) {
    const { rng } = this;
    const n = rng.int(lo, hi);
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = rng.float();
      if (r < 0.018) out.push(this.link());
      else if (r < 0.024) out.push('`' + rng.pick(BODY_WORDS).replace(/[^a-z]/g, '') + '_' + rng.pick(['id', 'at', 'count', 'oid', 'ms']) + '`');
      else if (r < 0.029) out.push(`**${rng.pick(BODY_WORDS)}**`);
      else if (r < 0.033) out.push(rng.pick(PEOPLE));
      else if (r < 0.036) out.push(String(rng.int(2, 500)));
      else if (r < 0.038) out.push('—');
      else if (r < 0.041) out.push(rng.pick(NON_ASCII));
      else out.push(rng.pick(BODY_WORDS));
      if (i > 2 && i < n - 2 && rng.chance(0.06)) out[out.length - 1] += ',';
    }
    out[0] = cap(out[0]);
    return out.join(' ') + rng.pick(['.', '.', '.', '.', '.', '?', '!']);
  }
  paragraph() {
    const n = this.rng.int(2, 5);
    const s = [];
    for (let i = 0; i < n; i++) s.push(this.sentence());
    return s.join(' ');
  }
  bullets() {
    const { rng } = this;
    const n = rng.int(3, 7);
    const task = rng.chance(0.2);
    const numbered = !task && rng.chance(0.15);
    const lines = [];
    for (let i = 0; i < n; i++) {
      const mark = numbered ? `${i + 1}.` : task ? (rng.chance(0.5) ? '- [x]' : '- [ ]') : '-';
      let item = this.sentence(3, 12).replace(/[.?!]$/, '');
      if (rng.chance(0.15)) item += ' — see ' + this.link();
      lines.push(`${mark} ${item}`);
      if (!numbered && rng.chance(0.08)) lines.push(`  - ${this.sentence(3, 8).replace(/[.?!]$/, '')}`);
    }
    return lines.join('\n');
  }
  code() {
    const [lang, body] = this.rng.pick(CODE_SNIPPETS);
    return '```' + lang + '\n' + body + '```';
  }
  quote() {
    return '> ' + this.sentence(8, 20);
  }
  table() {
    const { rng } = this;
    const rows = ['| item | owner | status |', '|---|---|---|'];
    const n = rng.int(2, 5);
    for (let i = 0; i < n; i++) {
      rows.push(`| ${cap(rng.pick(TITLE_WORDS))} ${rng.pick(TITLE_WORDS)} | ${rng.pick(PEOPLE)} | ${rng.pick(['done', 'open', 'blocked', 'in review'])} |`);
    }
    return rows.join('\n');
  }
  block() {
    const r = this.rng.float();
    if (r < 0.6) return this.paragraph();
    if (r < 0.9) return this.bullets();
    if (r < 0.92) return this.code();
    if (r < 0.975) return this.quote();
    return this.table();
  }
  heading() {
    const { rng } = this;
    const n = rng.int(1, 4);
    const w = [];
    for (let i = 0; i < n; i++) w.push(rng.pick(i === 0 ? TITLE_WORDS : BODY_WORDS.slice(40)));
    return cap(w.join(' '));
  }
}

function frontmatter(rng, page, created) {
  const lines = ['---', `title: ${page.title}`];
  const ntags = rng.int(1, 5);
  const tags = [];
  for (let i = 0; i < ntags; i++) {
    const t = rng.chance(0.08) ? rng.pick(NESTED_TAGS) : rng.pick(TAGS);
    if (!tags.includes(t)) tags.push(t);
  }
  if (rng.chance(0.5)) lines.push(`tags: [${tags.join(', ')}]`);
  else lines.push('tags:', ...tags.map((t) => `  - ${t}`));
  lines.push(`type: ${rng.pick(TYPES)}`);
  lines.push(`created: ${created}`);
  if (rng.chance(0.3)) lines.push(`updated: ${isoDate(rng, Number(created.slice(0, 4)), 2024)}`);
  if (rng.chance(0.15)) {
    const a = [page.title.split(' ').map((w) => w[0]).join('').toUpperCase(), page.title.toLowerCase()];
    lines.push('aliases:', ...a.slice(0, rng.int(1, 2)).map((x) => `  - ${x}`));
  }
  if (rng.chance(0.2)) lines.push(`status: ${rng.pick(['active', 'done', 'paused', 'someday'])}`);
  if (rng.chance(0.1)) lines.push(`owner: ${rng.pick(PEOPLE)}`);
  lines.push('---', '');
  return lines.join('\n');
}

function renderPage(rng, pages, i, targetBytes) {
  const page = pages[i];
  const w = new Writer(rng, pages, i, page.path);
  const parts = [];
  const hasFm = rng.chance(0.9);
  if (hasFm) parts.push(frontmatter(rng, page, isoDate(rng, 2019, 2024)));
  if (!hasFm || rng.chance(0.4)) parts.push(`# ${page.title}\n`);
  let size = parts.reduce((s, p) => s + p.length + 1, 0);
  // Lead paragraph, then sections until the target size is reached.
  const lead = w.paragraph();
  parts.push(lead + '\n');
  size += lead.length + 2;
  let sections = 0;
  while (size < targetBytes || sections < 1) {
    const h = `## ${w.heading()}\n`;
    parts.push(h);
    size += h.length + 1;
    const nb = rng.int(1, 3);
    for (let b = 0; b < nb && (size < targetBytes || b === 0); b++) {
      const blk = w.block();
      parts.push(blk + '\n');
      size += blk.length + 2;
    }
    if (size < targetBytes && rng.chance(0.35)) {
      const sh = `### ${w.heading()}\n`;
      const blk = w.block();
      parts.push(sh, blk + '\n');
      size += sh.length + blk.length + 3;
    }
    sections++;
  }
  return parts.join('\n');
}

// ---------------------------------------------------------------------------
// git helpers

function gitEnv(date) {
  const env = { ...process.env };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CEILING_DIRECTORIES']) delete env[k];
  env.GIT_AUTHOR_NAME = 'Corpus Bot';
  env.GIT_AUTHOR_EMAIL = 'corpus@example.invalid';
  env.GIT_COMMITTER_NAME = 'Corpus Bot';
  env.GIT_COMMITTER_EMAIL = 'corpus@example.invalid';
  env.GIT_CONFIG_NOSYSTEM = '1';
  if (date) {
    env.GIT_AUTHOR_DATE = date;
    env.GIT_COMMITTER_DATE = date;
  }
  return env;
}

async function git(dir, args, date) {
  const { stdout } = await execFileP('git', args, {
    cwd: dir,
    env: gitEnv(date),
    maxBuffer: 1024 * 1024 * 1024,
  });
  return stdout;
}

async function listMarkdown(dir) {
  const out = await git(dir, ['-c', 'core.quotePath=false', 'ls-files', '-z', '--', '*.md']);
  return out.split('\0').filter(Boolean).sort();
}

async function writeAll(dir, files, made = new Set()) {
  // files: [relPath, content][]; bounded concurrency keeps the event loop responsive.
  const dirs = new Set(files.map(([p]) => path.posix.dirname(p)));
  for (const d of [...dirs].sort()) {
    if (!made.has(d)) { await mkdir(path.join(dir, d), { recursive: true }); made.add(d); }
  }
  const CONC = 64;
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const [p, content] = files[next++];
      await writeFile(path.join(dir, p), content);
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONC, files.length) }, worker));
}

const BASE_EPOCH = 1704067200; // 2024-01-01T00:00:00Z

// ---------------------------------------------------------------------------
// Public API

/**
 * Create a git repository of generated markdown pages at `dir` (created if missing; must be
 * empty if it exists), committed in one commit with a fixed author and date.
 * @returns {Promise<{dir: string, head: string, paths: string[], bytes: number, sizes: number[],
 *   timings: {generate: number, write: number, gitAdd: number, gitCommit: number}}>}
 *   paths: repo-relative, sorted; sizes: byte size per entry of `paths`; timings in seconds.
 */
export async function createCorpusRepo(dir, { pages = 10000, seed = 1, branch = 'main' } = {}) {
  if (!Number.isInteger(pages) || pages < 1) throw new Error(`pages must be a positive integer, got ${pages}`);
  dir = path.resolve(dir);
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0) throw new Error(`refusing to create a corpus in non-empty directory ${dir}`);
  }
  await mkdir(dir, { recursive: true });

  const rng = new Rng(hashSeed(seed, 'corpus'));
  const clock = () => Number(process.hrtime.bigint()) / 1e9;
  const timings = {};
  let t = clock();

  // Folder tree: a fixed set of directories 2–4 levels deep built from a few dozen names.
  const ndirs = Math.max(8, Math.min(4000, Math.round(pages / 40)));
  const dirSet = new Set();
  const dirList = [];
  for (let guard = 0; dirList.length < ndirs && guard < ndirs * 50; guard++) {
    const depth = rng.int(2, 4);
    const segs = [rng.pick(FOLDERS_TOP)];
    while (segs.length < depth) {
      const s = rng.pick(FOLDERS);
      if (!segs.includes(s)) segs.push(s);
    }
    const d = segs.join('/');
    if (!dirSet.has(d)) { dirSet.add(d); dirList.push(d); }
  }

  // Page identities: unique titles -> unique file names (word-based; ~10% Obsidian-style with spaces).
  const seen = new Set();
  const meta = [];
  for (let i = 0; i < pages; i++) {
    let title;
    for (let tries = 0; ; tries++) {
      title = makeTitle(rng);
      if (tries > 10) title += ` ${cap(rng.pick(TITLE_WORDS))}`;
      if (tries > 30) title += ` ${i}`;
      if (!seen.has(slug(title))) break;
    }
    seen.add(slug(title));
    // mild skew: some folders are much busier than others
    const d = dirList[Math.floor(Math.pow(rng.float(), 1.6) * dirList.length)];
    const name = rng.chance(0.1) ? `${title}.md` : `${slug(title)}.md`;
    meta.push({ title, path: `${d}/${name}` });
  }

  // Log-normal sizes, median ~2 KB, capped at 40 KB.
  const MU = Math.log(1900);
  const SIGMA = 0.75;
  // Generate and write in batches so memory stays flat at 100K+ pages.
  const sizes = new Array(pages);
  let bytes = 0;
  timings.generate = 0;
  timings.write = 0;
  const BATCH = 1000;
  const madeDirs = new Set();
  for (let start = 0; start < pages; start += BATCH) {
    t = clock();
    const batch = [];
    for (let i = start; i < Math.min(pages, start + BATCH); i++) {
      const target = Math.min(40960, Math.max(160, Math.round(Math.exp(MU + SIGMA * rng.normal()))));
      const prng = new Rng(hashSeed(seed, `page:${i}`)); // per-page stream
      let text = renderPage(prng, meta, i, target);
      while (Buffer.byteLength(text) > 40960) text = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1);
      sizes[i] = Buffer.byteLength(text);
      bytes += sizes[i];
      batch.push([meta[i].path, text]);
    }
    timings.generate += clock() - t;
    t = clock();
    await writeAll(dir, batch, madeDirs);
    timings.write += clock() - t;
  }
  t = clock();

  const date = `${BASE_EPOCH} +0000`;
  await git(dir, ['init', '-q', '-b', branch]);
  await git(dir, ['config', 'user.name', 'Corpus Bot']);
  await git(dir, ['config', 'user.email', 'corpus@example.invalid']);
  await git(dir, ['config', 'commit.gpgsign', 'false']);
  await git(dir, ['config', 'core.autocrlf', 'false']);
  await git(dir, ['config', 'core.quotePath', 'false']);
  await git(dir, ['add', '-A']);
  timings.gitAdd = clock() - t; t = clock();
  await git(dir, ['commit', '-q', '--no-verify', '-m', `corpus: ${pages} pages, seed ${seed}`], date);
  const head = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  timings.gitCommit = clock() - t;

  const order = meta.map((m, i) => [m.path, sizes[i]]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { dir, head, paths: order.map((o) => o[0]), bytes, sizes: order.map((o) => o[1]), timings };
}

/**
 * Apply deterministic edits to an existing corpus repo and commit them in one commit.
 * The edits depend on `seed` and on the current HEAD, so repeated calls make new edits,
 * and the same history + seed always gives the same result (and sha).
 *   modify: append a section / rewrite a paragraph / change frontmatter tags
 *   add:    new pages with fresh titles, linking to existing pages
 *   remove: delete pages
 *   rename: move pages to a new name or folder (content kept; 1 in 4 also gets a small edit)
 * @returns {Promise<string>} the new HEAD sha
 */
export async function changeCorpus(dir, { modify = 100, add = 0, remove = 0, rename = 0, seed = 2 } = {}) {
  dir = path.resolve(dir);
  const oldHead = (await git(dir, ['rev-parse', 'HEAD'])).trim();
  const lastTime = Number((await git(dir, ['log', '-1', '--format=%ct'])).trim());
  const rng = new Rng(hashSeed(seed, oldHead));
  const paths = await listMarkdown(dir);
  const need = modify + remove + rename;
  if (need > paths.length) throw new Error(`changeCorpus: ${need} edits requested but only ${paths.length} pages`);
  if (need + add === 0) throw new Error('changeCorpus: nothing to change');

  const picks = rng.sample(paths.length, need).map((i) => paths[i]);
  const toRemove = picks.slice(0, remove);
  const toRename = picks.slice(remove, remove + rename);
  const toModify = picks.slice(remove + rename);

  const keyOf = (p) => path.posix.basename(p, '.md').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const taken = new Set(paths.map(keyOf));
  const dirs = [...new Set(paths.map((p) => path.posix.dirname(p)))].sort();

  // Titles of a sample of existing pages, for links from new/modified text.
  const sampleIdx = rng.sample(paths.length, Math.min(64, paths.length));
  const linkPages = [];
  for (const i of sampleIdx) {
    const text = await readFile(path.join(dir, paths[i]), 'utf8');
    const m = /^title: (.+)$/m.exec(text) || /^# (.+)$/m.exec(text);
    linkPages.push({ title: m ? m[1] : path.posix.basename(paths[i], '.md'), path: paths[i] });
  }
  const freshTitle = () => {
    for (let tries = 0; ; tries++) {
      let t = makeTitle(rng);
      if (tries > 10) t += ` ${cap(rng.pick(TITLE_WORDS))}`;
      if (tries > 30) t += ` ${tries}`;
      if (!taken.has(slug(t))) { taken.add(slug(t)); return t; }
    }
  };
  const newSection = (p) => {
    const w = new Writer(rng, linkPages, -1, p);
    return `\n## ${w.heading()}\n\n${w.paragraph()}\n`;
  };

  for (const p of toRemove) await unlink(path.join(dir, p));

  for (const p of toRename) {
    const title = freshTitle();
    const d = rng.chance(0.5) ? path.posix.dirname(p) : rng.pick(dirs);
    const np = `${d}/${rng.chance(0.1) ? title : slug(title)}.md`;
    await mkdir(path.join(dir, d), { recursive: true });
    await fsRename(path.join(dir, p), path.join(dir, np));
    if (rng.chance(0.25)) {
      const text = await readFile(path.join(dir, np), 'utf8');
      await writeFile(path.join(dir, np), text + newSection(np));
    }
  }

  for (const p of toModify) {
    const file = path.join(dir, p);
    let text = await readFile(file, 'utf8');
    const w = new Writer(rng, linkPages, -1, p);
    const r = rng.float();
    let edited = text;
    if (r < 0.5) {
      edited = text + newSection(p);
    } else if (r < 0.8) {
      // rewrite one paragraph-like line in the body
      const lines = text.split('\n');
      const cands = [];
      let inFence = false;
      for (let i = 0; i < lines.length; i++) {
        if (lines[i].startsWith('```')) inFence = !inFence;
        else if (!inFence && /^[A-Z]/.test(lines[i]) && lines[i].length > 40 && !lines[i].includes(':')) cands.push(i);
      }
      if (cands.length) {
        lines[rng.pick(cands)] = w.paragraph();
        edited = lines.join('\n');
      }
    } else if (text.startsWith('---\n')) {
      // frontmatter-only change
      const end = text.indexOf('\n---\n', 4);
      if (end > 0) {
        const fm = text.slice(0, end);
        const rest = text.slice(end);
        edited = (/^updated: .*$/m.test(fm)
          ? fm.replace(/^updated: .*$/m, `updated: ${isoDate(rng, 2024, 2025)}`)
          : fm + `\nupdated: ${isoDate(rng, 2024, 2025)}`) + rest;
      }
    }
    if (edited === text) edited = text + newSection(p);
    await writeFile(file, edited);
  }

  const newFiles = [];
  for (let i = 0; i < add; i++) {
    const title = freshTitle();
    const d = rng.pick(dirs);
    const p = `${d}/${rng.chance(0.1) ? title : slug(title)}.md`;
    const pages = [...linkPages, { title, path: p }];
    const target = Math.min(40960, Math.max(160, Math.round(Math.exp(Math.log(1900) + 0.75 * rng.normal()))));
    newFiles.push([p, renderPage(rng, pages, pages.length - 1, target)]);
  }
  await writeAll(dir, newFiles);

  const date = `${lastTime + 3600} +0000`;
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '--no-verify', '--allow-empty', '-m',
    `corpus change: modify ${modify}, add ${add}, remove ${remove}, rename ${rename}, seed ${seed}`], date);
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}

// ---------------------------------------------------------------------------
// CLI

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(argv) {
  const args = { pages: 10000, seed: 1, branch: 'main' };
  let dir = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--pages') args.pages = Number(val());
    else if (a === '--seed') args.seed = Number(val());
    else if (a === '--branch') args.branch = val();
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/corpus.mjs DIR [--pages N] [--seed S] [--branch B]\n');
      return 0;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (dir === null) dir = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!dir) throw new Error('usage: node bench/corpus.mjs DIR [--pages N] [--seed S] [--branch B]');
  if (!Number.isInteger(args.pages) || args.pages < 1) throw new Error('--pages must be a positive integer');
  if (!Number.isInteger(args.seed)) throw new Error('--seed must be an integer');
  const t0 = process.hrtime.bigint();
  const res = await createCorpusRepo(dir, args);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const sizes = [...res.sizes].sort((a, b) => a - b);
  process.stdout.write(
    `corpus ${res.dir}: pages=${res.paths.length} bytes=${res.bytes} median=${percentile(sizes, 0.5)} ` +
    `p90=${percentile(sizes, 0.9)} max=${sizes[sizes.length - 1]} head=${res.head.slice(0, 12)} seconds=${secs.toFixed(2)} ` +
    `(generate ${res.timings.generate.toFixed(2)}, write ${res.timings.write.toFixed(2)}, ` +
    `git add ${res.timings.gitAdd.toFixed(2)}, commit ${res.timings.gitCommit.toFixed(2)})\n`,
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`corpus: ${err.message}\n`);
      process.exit(2);
    },
  );
}
