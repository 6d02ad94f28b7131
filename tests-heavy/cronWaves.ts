/**
 * The cron-wave harness: bookmarked sources mutated between waves, waves run exactly as cron
 * runs them (`timeout(1)` around the real CLI, `--timeout` shorter than the work, embedding
 * on), optionally with faults (kill -9, SIGTERM, a second run at once, terminated Postgres
 * backends) and `sync --break-lock --all` between waves. Every wave is checked against the
 * repositories; the run ends with a JSON report. Used by tests-heavy/cron.test.ts.
 */
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { query, repoPages, sleep, withDb } from '../test/helpers/cli.js';
import { testModelsDir } from '../test/helpers/embed.js';
import { runTestGit } from '../test/helpers/gitRepo.js';
import type { TestBrain } from '../test/helpers/brains.js';
import type { SourceResult } from '../src/core/result.js';
// @ts-expect-error plain JS bench module
import { changeCorpus, createCorpusRepo, mulberry32 } from '../bench/corpus.mjs';
import { childOf, startBrainsync, type Proc } from './waveProcess.js';
import { countStatuses, newReport, parseRun, Violations, type Mode, type Report, type RunRecord, type WaveRecord } from './waveReport.js';

export type { Mode, Report } from './waveReport.js';

export interface WaveOptions {
  brain: TestBrain;
  work: string;
  mode: Mode;
  /** Pages per source at the start. */
  pages: number;
  sources: string[];
  /**
   * `--timeout` per source, seconds, given the fixed cost the first sync measured (the slowest
   * source's lock + pull + plan, in seconds): see budgetFor in cron.test.ts.
   */
  budgetFor: (fixedSeconds: number) => number;
  /** timeout(1)'s limit around a wave, seconds, for a budget. */
  outerFor: (budget: number) => number;
  /** Waves with mutations (and, in fault mode, faults) before the quiet waves. */
  mutationWaves: number;
  /** Quiet waves allowed for convergence once mutations stop. */
  maxQuietWaves: number;
  seed: number;
  /** Postgres fault mode: terminates the brain's backends (pg_terminate_backend). */
  terminateBackends?: () => Promise<number>;
  log?: (line: string) => void;
}

interface Snapshot {
  pages: Map<string, Map<string, string>>;
  marks: Record<string, string | null>;
}

export class CronWaves {
  readonly v = new Violations();
  readonly heads = new Map<string, string[]>();
  private readonly trees = new Map<string, Map<string, string>>();
  private readonly rng: () => number;
  /** Fault mode: the kinds of fault, in a seeded order; wave n gets the n-th (cyclically). */
  private readonly faultKinds: string[];
  /** Faults that hit a running brainsync so far: a missed one is tried again in the next wave. */
  private faultsHit = 0;
  private home = '';
  private repos: Record<string, string> = {};
  private mutationSize = 0;
  /** Set by the first sync (budgetFor, outerFor). */
  private budget = 0;
  private outer = 0;
  private readonly report: Report;
  private readonly t0 = Date.now();

  constructor(private readonly o: WaveOptions) {
    this.rng = mulberry32(o.seed) as () => number;
    this.faultKinds = ['kill', 'term', 'overlap', ...(o.terminateBackends ? ['pg_terminate'] : [])];
    for (let i = this.faultKinds.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [this.faultKinds[i], this.faultKinds[j]] = [this.faultKinds[j], this.faultKinds[i]];
    }
    this.report = newReport({ ...o, backend: o.brain.target.kind });
  }

  private log(line: string): void {
    this.o.log?.(`[${((Date.now() - this.t0) / 1000).toFixed(1)}s ${this.o.brain.target.kind}/${this.o.mode}] ${line}`);
  }

  /** Starts the CLI on the brain (under timeout(1) when `outer` is given). */
  private start(args: string[], outer?: number): Proc {
    this.snapCache = null;
    return startBrainsync(['--db', this.o.brain.arg, ...args], { home: this.home, outer });
  }

  private async cli(args: string[], outer?: number) {
    return this.start(args, outer).exited;
  }

  private async tree(dir: string, commit: string): Promise<Map<string, string>> {
    let t = this.trees.get(commit);
    if (!t) {
      t = await repoPages(dir, commit);
      this.trees.set(commit, t);
    }
    return t;
  }

  private async head(name: string): Promise<string> {
    return runTestGit(this.repos[name], ['rev-parse', 'HEAD']);
  }

  private snapCache: Snapshot | null = null;

  /** Pages (path → blob) and bookmark of every source, in one open of the brain (between runs). */
  private async snap(): Promise<Snapshot> {
    if (this.snapCache) return this.snapCache;
    const { rows, marks } = await withDb(this.o.brain, async (db) => ({
      rows: (await db.query<{ source: string; path: string; oid: string }>(
        'select s.name as source, p.path, p.blob_oid as oid from pages p join sources s on s.id = p.source_id',
      )).rows,
      marks: (await db.query<{ name: string; b: string | null }>('select name, bookmark_commit as b from sources')).rows,
    }));
    const pages = new Map(this.o.sources.map((s) => [s, new Map<string, string>()]));
    for (const r of rows) {
      const m = pages.get(r.source)!;
      if (m.has(r.path)) this.v.add(`${r.source}: page ${r.path} is stored twice`);
      m.set(r.path, r.oid);
    }
    this.snapCache = { pages, marks: Object.fromEntries(marks.map((r) => [r.name, r.b])) };
    return this.snapCache;
  }

  /** Pages per source whose stored blob differs from the tree of the current head: what the next run must write. */
  private async needed(): Promise<Record<string, number>> {
    const brain = (await this.snap()).pages;
    const out: Record<string, number> = {};
    for (const s of this.o.sources) {
      const tree = await this.tree(this.repos[s], await this.head(s));
      const stored = brain.get(s)!;
      let n = 0;
      for (const [p, oid] of tree) if (stored.get(p) !== oid) n++;
      out[s] = n;
    }
    return out;
  }

  /**
   * After a run: the bookmark is a commit some run targeted, and every page holds a version
   * from the bookmark's tree or from a later target's (a stopped run writes ahead of its
   * bookmark, never anything else); no page of the bookmark's tree is missing unless a later
   * target deleted it. So no page is lost or invented, and no bookmark is ahead of the pages.
   */
  private async checkConsistent(when: string): Promise<void> {
    const { pages: brain, marks } = await this.snap();
    for (const s of this.o.sources) {
      const heads = this.heads.get(s)!;
      const mark = marks[s];
      const i = mark ? heads.lastIndexOf(mark) : -1;
      if (i < 0) {
        this.v.add(`${when}: ${s}: bookmark ${mark} is not a commit any run targeted`);
        continue;
      }
      const trees = await Promise.all(heads.slice(i).map((h) => this.tree(this.repos[s], h)));
      const stored = brain.get(s)!;
      // A rename is applied before the renamed file's new content: a stopped run may leave a
      // page at its new path with the content it had at the old one.
      const blobs = new Set(trees.flatMap((t) => [...t.values()]));
      const paths = new Set([...stored.keys(), ...trees[0].keys()]);
      let bad = 0;
      for (const p of paths) {
        const have = stored.get(p);
        const ok = have === undefined ? trees.some((t) => !t.has(p)) : trees.some((t) => t.get(p) === have) || blobs.has(have);
        if (ok && have !== undefined && !trees.some((t) => t.get(p) === have)) this.report.totals.renamedAheadOfContent++;
        if (!ok && bad++ < 3) {
          this.v.add(`${when}: ${s}: ${p} is ${have ?? 'missing'} in the brain, which no tree from the bookmark on explains`);
        }
      }
      if (bad > 3) this.v.add(`${when}: ${s}: … ${bad} such pages in all`);
    }
  }

  /** Corpora, sources, and one first sync each, so that every source has a bookmark. */
  async setup(): Promise<void> {
    this.home = join(this.o.work, 'home');
    await mkdir(this.home, { recursive: true });
    await mkdir(testModelsDir, { recursive: true });
    await symlink(testModelsDir, join(this.home, 'models'));
    for (const [i, s] of this.o.sources.entries()) {
      const dir = join(this.o.work, 'repos', s);
      const { head } = (await createCorpusRepo(dir, { pages: this.o.pages, seed: this.o.seed * 100 + i })) as { head: string };
      this.repos[s] = dir;
      this.heads.set(s, [head]);
      const added = await this.cli(['sources', 'add', s, dir]);
      if (added.code !== 0) throw new Error(`sources add ${s}: ${added.stderr}`);
    }
    const first = await this.cli(['--json', 'sync', '--all']);
    if (first.code !== 0) throw new Error(`first sync exited ${first.code}: ${first.stderr.slice(-2000)}`);
    const doc = JSON.parse(first.stdout) as { sources: SourceResult[] };
    let pages = 0;
    let ms = 0;
    let fixedMs = 0;
    for (const s of doc.sources) {
      pages += s.counts.imported;
      ms += s.timings.applyMs + s.timings.embedMs;
      fixedMs = Math.max(fixedMs, s.timings.lockMs + s.timings.pullMs + s.timings.planMs);
      if (s.status !== 'synced' || s.counts.pending !== 0) throw new Error(`first sync of ${s.source}: ${s.status}, ${s.counts.pending} pending`);
    }
    const rate = pages / Math.max(ms / 1000, 0.001);
    this.report.firstSyncPagesPerSecond = Math.round(rate);
    this.budget = this.report.budget = this.o.budgetFor(fixedMs / 1000);
    this.outer = this.report.outer = this.o.outerFor(this.budget);
    this.log(`budget ${this.budget} s per source (lock + pull + plan took up to ${fixedMs} ms), timeout(1) at ${this.outer} s`);
    // Two and a half times what one budget covers at the first sync's rate: a wave cannot keep
    // up. The first sync's rate includes embedding every chunk; a wave imports first and embeds
    // with what is left, and on PGLite a tightly budgeted wave runs on the baseline wasm tier,
    // which starts faster. At 1.5 times, PGLite waves imported ~570 of ~600 changes in their
    // 2 s, and only 2-3 of 12 ended partial on their timeout.
    // Not capped by the corpus: what edits cannot cover (a small corpus, a fast machine) is added.
    this.mutationSize = Math.round(Math.max(0.05 * this.o.pages, 2.5 * rate * this.budget));
    this.report.mutationSize = this.mutationSize;
    this.log(`first sync: ${pages} pages at ${Math.round(rate)} pages/s (import + embed); ${this.mutationSize} changes per source per wave`);
    await this.checkConsistent('after the first sync');
  }

  /** Edits, adds, renames and deletes in every repository; now and then a force-push. */
  private async mutate(wave: number): Promise<void> {
    for (const [i, s] of this.o.sources.entries()) {
      const dir = this.repos[s];
      // A force-push: the last commit (whose pages a stopped run may have written) vanishes.
      // First, so that the sizes below are of the repository the new commit changes.
      const forcePush = (wave + i) % 3 === 2 && this.heads.get(s)!.length > 1;
      if (forcePush) await runTestGit(dir, ['reset', '-q', '--hard', 'HEAD~1']);
      const current = (await runTestGit(dir, ['ls-files'])).split('\n').length;
      // Mostly edits, then adds for the rest; each kind capped by the repository's size. A
      // force-push that drops a commit of adds (at most 40%) must not trip the mass-delete guard.
      const m = this.mutationSize;
      const modify = Math.min(Math.round(0.7 * m), Math.floor(0.7 * current));
      const remove = Math.min(Math.round(0.1 * m), Math.floor(0.05 * current));
      const rename = Math.min(Math.round(0.1 * m), Math.floor(0.05 * current));
      const add = Math.max(1, Math.min(m - modify - remove - rename, Math.floor(0.4 * current)));
      const head = (await changeCorpus(dir, { modify, add, remove, rename, seed: this.o.seed * 1000 + wave * 10 + i })) as string;
      this.heads.get(s)!.push(head);
      if (forcePush) this.log(`${s}: force-push to ${head.slice(0, 8)}`);
    }
  }

  /** How long a wave under this budget usually lasts: the budget per source, one after another on PGLite. */
  private expectedWaveMs(): number {
    const perSource = this.budget * 1000;
    return this.o.brain.target.kind === 'pglite' ? Math.min(this.outer * 1000, perSource * this.o.sources.length) : perSource + 300;
  }

  /** Runs one wave (with a fault in fault mode) and checks it. */
  private async wave(n: number, kind: 'mutation' | 'quiet'): Promise<WaveRecord> {
    const needed = await this.needed();
    const faulty = this.o.mode === 'faults' && kind === 'mutation';
    const faultKind = faulty ? this.faultKinds[this.faultsHit % this.faultKinds.length] : null;
    const atMs = Math.round((0.1 + 0.7 * this.rng()) * this.expectedWaveMs());
    const overlapSource = this.o.sources[Math.floor(this.rng() * this.o.sources.length)];
    const proc = this.start(['--json', 'sync', '--all', '--timeout', String(this.budget)], this.outer);
    let fault: WaveRecord['fault'];
    if (faultKind === 'overlap') {
      await sleep(200);
      const second = await this.cli(['--json', 'sync', '--source', overlapSource, '--timeout', String(this.budget)], this.outer);
      fault = { kind: 'overlap', atMs: 200, hit: true, source: overlapSource, overlap: parseRun(this.v, second, needed) };
      this.faultsHit++;
      this.report.totals.overlaps++;
    } else if (faultKind) {
      await sleep(atMs);
      const child = await childOf(proc.pid);
      const hit = child !== null && !proc.done();
      fault = { kind: faultKind, atMs, hit };
      if (hit) this.faultsHit++;
      if (!hit) this.report.totals.faultsMissed++;
      else if (faultKind === 'kill') {
        process.kill(child, 'SIGKILL');
        this.report.totals.kills++;
      } else if (faultKind === 'term') {
        process.kill(child, 'SIGTERM');
        this.report.totals.terms++;
      } else {
        fault.terminated = await this.o.terminateBackends!();
        this.report.totals.backendTerminations++;
      }
    }
    const r = await proc.exited;
    const rec: WaveRecord = { wave: n, kind, ...parseRun(this.v, r, needed), fault };
    this.checkWave(rec, r.stderr);
    if (fault?.overlap) {
      const both = [rec.statuses[overlapSource], fault.overlap.statuses[overlapSource]];
      const pgliteBusy = this.o.brain.target.kind === 'pglite' && (r.code === 75 || fault.overlap.exit === 75);
      if (!pgliteBusy && !both.some((s) => s && s !== 'locked')) this.v.add(`wave ${n}: neither run of ${overlapSource} got the source: ${both}`);
    }
    await this.checkConsistent(`after wave ${n}`);
    if (this.o.mode === 'faults') {
      // As the README recommends: a wave that first breaks the locks of holders that are gone.
      const before = await this.needed();
      const b = await this.cli(['--json', 'sync', '--break-lock', '--all', '--max-age', '30s', '--timeout', String(this.budget)], this.outer);
      rec.breakLock = parseRun(this.v, b, before);
      if (![0, 75, 124].includes(b.code ?? -1)) this.v.add(`wave ${n}: the --break-lock run exited ${b.code ?? b.signal}: ${b.stderr.slice(-1500)}`);
      for (const [s, st] of Object.entries(rec.breakLock.statuses)) {
        if (st === 'locked' || st.startsWith('failed')) this.v.add(`wave ${n}: the --break-lock run found ${s} ${st}`);
      }
      if (rec.breakLock.locks?.some((l) => l.verdict === 'held')) this.v.add(`wave ${n}: --break-lock found a lock held after the wave had exited`);
      await this.checkConsistent(`after the break-lock run of wave ${n}`);
    }
    countStatuses(this.report.totals, rec);
    if (fault?.overlap) countStatuses(this.report.totals, fault.overlap);
    if (rec.breakLock) countStatuses(this.report.totals, rec.breakLock);
    this.log(
      `wave ${n} (${kind}${fault ? `, ${fault.kind}${fault.hit ? '' : ' (missed)'} at ${fault.atMs} ms` : ''}): exit ${r.code ?? r.signal} in ${r.ms} ms — ` +
        Object.entries(rec.statuses).map(([s, st]) => `\n    ${s} ${st} read ${rec.read[s]}/${needed[s]} skipped ${rec.skipped[s]} pending ${rec.pending[s]} (${rec.timings[s]})`).join('') +
        (rec.breakLock ? ` | break-lock: exit ${rec.breakLock.exit}, ${Object.values(rec.breakLock.statuses).join(' ')}` : ''),
    );
    this.report.waves.push(rec);
    return rec;
  }

  /** What a wave may end with: without faults only done, partial, or timeout(1)'s cut. */
  private checkWave(rec: WaveRecord, stderr: string): void {
    const n = rec.wave;
    const f = rec.fault;
    const hitBy = (k: string) => f?.kind === k && f.hit;
    const allowed = [0, 75, 124];
    if (hitBy('pg_terminate')) allowed.push(1);
    if (hitBy('term')) allowed.push(143);
    const killed = hitBy('kill') && rec.signal === 'SIGKILL';
    const pgliteOverlapLost = f?.kind === 'overlap' && this.o.brain.target.kind === 'pglite' && rec.exit === 75;
    if (!killed && !allowed.includes(rec.exit ?? -1)) this.v.add(`wave ${n} exited ${rec.exit ?? rec.signal}: ${stderr.slice(-2000)}`);
    if (!killed && rec.exit !== 143 && !pgliteOverlapLost && Object.keys(rec.statuses).length === 0) {
      this.v.add(`wave ${n} (exit ${rec.exit}) printed no results: ${stderr.slice(-1500)}`);
    }
    for (const [s, st] of Object.entries(rec.statuses)) {
      const ok =
        ['synced', 'up_to_date', 'partial/timeout', 'partial/signal'].includes(st) ||
        (st === 'locked' && f?.kind === 'overlap') ||
        (st.startsWith('failed') && hitBy('pg_terminate'));
      // A signal only comes from timeout(1) in a wave without faults, or from the harness's SIGTERM.
      if (!ok) this.v.add(`wave ${n}: ${s} ended ${st}${st === 'locked' ? ' — blocked by a lock an earlier run left behind' : ''}${rec.messages?.[s] ? `: ${rec.messages[s]}` : ''}`);
    }
  }

  /** Status in the manifest: the largest staleness over the sources, in seconds. */
  private async maxStaleness(): Promise<number> {
    const r = await this.cli(['--json', 'status']);
    const doc = JSON.parse(r.stdout) as { sources: { stalenessSeconds: number | null }[] };
    return Math.max(...doc.sources.map((s) => s.stalenessSeconds ?? Infinity));
  }

  async run(): Promise<Report> {
    await this.setup();
    let n = 0;
    // Fault mode: enough mutation waves for every kind of fault to come up at least once.
    // (a missed one — the wave had already ended — comes again; at most 4 extra waves).
    const kinds = this.faultKinds.length;
    const more = (i: number) =>
      i < this.o.mutationWaves || (this.o.mode === 'faults' && this.faultsHit < kinds && i < Math.max(this.o.mutationWaves, kinds) + 4);
    let i = 0;
    for (; more(i); i++) {
      await this.mutate(i);
      await this.wave(++n, 'mutation');
    }
    this.report.mutationWaves = i;
    if (this.o.mode === 'faults' && this.faultsHit < kinds) this.v.add(`only ${this.faultsHit} of the ${kinds} kinds of fault hit a running wave`);
    // One threshold for both checks: longer than a wave can last (timeout(1)'s limit) plus a
    // margin, so that right after the converging wave every source is within it.
    const maxStaleness = this.outer + 3;
    // The sources fell behind: status --max-staleness fails now… (where the last mutation wave
    // happened to bring every source up to date, only once the threshold has passed since).
    const stalest = await this.maxStaleness();
    const waited = Math.max(0, maxStaleness + 1 - stalest);
    await sleep(waited * 1000);
    const failing = await this.cli(['status', '--max-staleness', `${maxStaleness}s`]);
    this.report.stalenessCheck = { maxStaleness, stalestAtEnd: Math.round(stalest * 10) / 10, waitedSeconds: Math.round(waited * 10) / 10, failingExit: failing.code ?? -1, passingExit: -1 };
    if (failing.code !== 1) this.v.add(`status --max-staleness ${maxStaleness}s exited ${failing.code} at the end of the mutation waves, the stalest source ${Math.round(stalest + waited)}s stale (expected 1)`);
    // …then quiet waves until every source is at its tip with nothing pending.
    let quiet = 0;
    for (;;) {
      if (quiet >= this.o.maxQuietWaves) {
        this.v.add(`no convergence within ${this.o.maxQuietWaves} waves after the mutations stopped`);
        break;
      }
      quiet++;
      const rec = await this.wave(++n, 'quiet');
      const { marks } = await this.snap();
      const atTips = (await Promise.all(this.o.sources.map(async (s) => marks[s] === (await this.head(s))))).every(Boolean);
      const done = this.o.sources.every((s) => ['synced', 'up_to_date'].includes(rec.statuses[s]) && rec.pending[s] === 0);
      if (atTips && done) break;
    }
    // …and passes right after the converging wave.
    const passing = await this.cli(['status', '--max-staleness', `${maxStaleness}s`]);
    this.report.stalenessCheck.passingExit = passing.code ?? -1;
    if (passing.code !== 0) this.v.add(`status --max-staleness ${maxStaleness}s exited ${passing.code} after convergence: ${passing.stderr}`);
    this.report.totals.quietWavesToConverge = quiet;
    this.report.totals.waves = n;
    // A source partial in one run and resumed in the next (the wave's --break-lock run, or the next
    // wave): pages the first wrote were skipped, not read again.
    const runs = this.report.waves.flatMap((w) => (w.breakLock ? [w, w.breakLock] : [w]));
    for (let i = 1; i < runs.length; i++) {
      for (const s of this.o.sources) {
        if (runs[i - 1].statuses[s]?.startsWith('partial') && (runs[i].skipped[s] ?? 0) > 0) this.report.totals.resumedAfterPartial++;
      }
    }
    await this.finalChecks();
    this.report.wallSeconds = Math.round((Date.now() - this.t0) / 100) / 10;
    return this.report;
  }

  private async finalChecks(): Promise<void> {
    const verify = await this.cli(['--json', 'verify', '--all']);
    this.report.final.verifyExit = verify.code ?? -1;
    const doc = JSON.parse(verify.stdout) as { sources: { source: string; status: string; clean: boolean }[] };
    if (verify.code !== 0 || doc.sources.some((s) => !s.clean)) this.v.add(`verify --all after convergence: exit ${verify.code}: ${verify.stdout.slice(0, 1500)}`);
    const { pages: brain, marks } = await this.snap();
    let atTips = true;
    let pages = 0;
    for (const s of this.o.sources) {
      const tip = await this.head(s);
      if (marks[s] !== tip) {
        atTips = false;
        this.v.add(`${s}: bookmark ${marks[s]} is not the branch tip ${tip}`);
      }
      const want = await this.tree(this.repos[s], tip);
      const have = brain.get(s)!;
      pages += have.size;
      const diff = [...new Set([...want.keys(), ...have.keys()])].filter((p) => want.get(p) !== have.get(p));
      if (diff.length) this.v.add(`${s}: ${diff.length} pages differ from the tip, e.g. ${diff.slice(0, 3).join(', ')}`);
    }
    const [{ n: pending }] = await query<{ n: number }>(this.o.brain, 'select count(*)::int as n from embed_queue');
    if (pending !== 0) this.v.add(`${pending} chunks still wait for a vector`);
    const [{ n: noVector }] = await query<{ n: number }>(
      this.o.brain,
      `select count(*)::int as n from chunks c join pages p on p.id = c.page_id
        where not exists (select 1 from embeddings e where e.chunk_hash = c.chunk_hash)`,
    );
    if (noVector !== 0) this.v.add(`${noVector} chunks have no vector`);
    const locks = await this.cli(['--json', 'locks']);
    if (JSON.parse(locks.stdout).length !== 0) this.v.add(`locks left after the last wave: ${locks.stdout}`);
    this.report.final = { verifyExit: verify.code ?? -1, bookmarksAtTips: atTips, pending, pages };
  }
}

