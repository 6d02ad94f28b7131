import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { backends, freshBrain, type BackendName } from '../helpers/brains.js';
import { describeRun, killAllCli, repoRoot, runCli, sendSignal, startCli, waitForExit, waitForPhase, type CliResult } from '../helpers/cli.js';
import { testModelsDir } from '../helpers/embed.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { makeCorpus, removeTemps, tempDir, writeScript } from './fixtures.js';

/**
 * Runs the cron recipes of README.md ("Running from cron") as written — only the paths are
 * swapped for temporary ones — against a brain with real git sources, so that the
 * documentation cannot drift from the product. Each recipe is the fenced block after a
 * `<!-- cron-recipe: NAME -->` comment.
 */

const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');

function recipe(name: string): string {
  const m = new RegExp(`<!-- cron-recipe: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(readme);
  if (!m) throw new Error(`README.md has no block marked <!-- cron-recipe: ${name} -->`);
  return m[1];
}

interface Crontab {
  env: Record<string, string>;
  /** The command of each job line: what cron hands to `sh -c` once the 5 schedule fields are gone. */
  jobs: string[];
}

function parseCrontab(text: string): Crontab {
  const env: Record<string, string> = {};
  const jobs: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (assignment) {
      env[assignment[1]] = assignment[2];
      continue;
    }
    const job = /^((?:\S+\s+){5})(.*)$/.exec(line);
    expect(job, `a crontab line with 5 schedule fields: ${line}`).toBeTruthy();
    for (const field of job![1].trim().split(/\s+/)) expect(field, `schedule field of: ${line}`).toMatch(/^(\*|\d+(-\d+)?)(\/\d+)?(,\d+(-\d+)?)*$/);
    jobs.push(job![2]);
  }
  return { env, jobs };
}

/** Parses a unit file: section → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || /^[#;]/.test(line)) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    expect(kv && current, `unit line: ${line}`).toBeTruthy();
    current!.set(kv![1], [...(current!.get(kv![1]) ?? []), kv![2]]);
  }
  return sections;
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const hasJq = spawnSync('jq', ['--version']).status === 0;
if (!hasSystemdAnalyze) {
  process.stderr.write('readme.cron.test.ts: systemd-analyze is not installed here: the unit files are not verified (their ExecStart still runs)\n');
}

interface Harness {
  work: string;
  home: string;
  log: string;
  textfile: string;
  /** Where the stand-in `mail` writes what it was asked to send. */
  mailFile: string;
  env: NodeJS.ProcessEnv;
  repos: Record<string, TestRepo>;
  /** The recipe text with its paths swapped for this harness's. */
  swap(text: string): string;
  /** The CLI on this harness's brain (no --db: the brain comes from the environment, as in the recipes). */
  cli(args: string[]): Promise<CliResult>;
  sh(command: string): { code: number | null; stdout: string; stderr: string };
}

async function makeHarness(backend: BackendName): Promise<Harness> {
  const work = await tempDir('brainsync-recipes-');
  const home = join(work, 'home');
  const log = join(work, 'log');
  const textfile = join(work, 'textfile');
  const stubs = join(work, 'stubs');
  for (const d of [home, log, textfile, stubs]) await mkdir(d, { recursive: true });
  await mkdir(testModelsDir, { recursive: true });
  await symlink(testModelsDir, join(home, 'models'));
  const mailFile = join(work, 'mail.txt');
  await writeScript(join(stubs, 'mail'), `{ echo "args: $*"; cat; } >> '${mailFile}'\n`);
  const crontab = parseCrontab(recipe('crontab'));
  const swap = (text: string) =>
    text
      .replaceAll('/srv/brainsync', repoRoot.replace(/\/$/, ''))
      .replaceAll('/var/lib/node_exporter/textfile/', `${textfile}/`)
      .replaceAll('/var/lib/brainsync', home)
      .replaceAll('/var/log/', `${log}/`)
      .replaceAll('/usr/bin/node', process.execPath);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  for (const k of ['BRAINSYNC_DATABASE_URL', 'DATABASE_URL', 'BRAINSYNC_HOME']) delete env[k];
  for (const [k, v] of Object.entries(crontab.env)) env[k] = swap(v);
  // The recipe's PATH, with the stand-in `mail` and this node in front.
  env.PATH = `${stubs}:${dirname(process.execPath)}:${env.PATH}`;
  expect(env.BRAINSYNC_HOME, 'the crontab names the brain').toBe(home);
  if (backend === 'pglite') {
    // The default brain of BRAINSYNC_HOME, as `brainsync init` would make it.
    await cp(inject('pgliteTemplate'), join(home, 'brain'), { recursive: true });
  } else {
    // A shared brain: the crontab would say BRAINSYNC_DATABASE_URL=postgres://…
    env.BRAINSYNC_DATABASE_URL = (await freshBrain('postgres')).arg;
  }
  const repos: Record<string, TestRepo> = {};
  for (const name of ['alpha', 'beta', 'gamma']) {
    const repo = await createRepo({ dir: join(work, 'repos', name) });
    await repo.write('index.md', `---\ntitle: ${name}\n---\n# ${name}\n\nSee [[notes]].\n`);
    await repo.write('notes.md', `# Notes of ${name}\n\nRestore a backup before the migration.\n`);
    await repo.commit('first');
    repos[name] = repo;
  }
  const cliEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const cli = (args: string[]) => runCli(args, { env: cliEnv });
  for (const [name, repo] of Object.entries(repos)) {
    const added = await cli(['sources', 'add', name, repo.dir]);
    expect(added.code, describeRun(added)).toBe(0);
  }
  const sh = (command: string) => {
    const r = spawnSync('sh', ['-c', command], { env, encoding: 'utf8', cwd: work, maxBuffer: 1 << 26 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { work, home, log, textfile, mailFile, env, repos, swap, cli, sh };
}

interface SyncDoc {
  exitCode: number;
  locks?: { source: string; verdict: string; detail: string }[];
  sources: { source: string; status: string; counts: { imported: number } }[];
}

/** The loop recipe as the executable script the README says it is. */
function loopScript(h: Harness): Promise<string> {
  return writeScript(join(h.work, 'sync-each.sh'), h.swap(recipe('loop')).replace(/^#!\/bin\/sh\n/, ''));
}

async function jsonLines(path: string): Promise<SyncDoc[]> {
  const text = await readFile(path, 'utf8');
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as SyncDoc);
}

function statuses(doc: SyncDoc): Record<string, string> {
  return Object.fromEntries(doc.sources.map((s) => [s.source, s.status]));
}

async function tips(h: Harness): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, repo] of Object.entries(h.repos)) out[name] = await repo.git(['rev-parse', 'HEAD']);
  return out;
}

async function bookmarks(h: Harness): Promise<Record<string, string | null>> {
  const r = await h.cli(['sources', 'list', '--json']);
  expect(r.code, describeRun(r)).toBe(0);
  const list = JSON.parse(r.stdout) as { name: string; bookmarkCommit: string | null }[];
  return Object.fromEntries(list.filter((s) => s.name in h.repos).map((s) => [s.name, s.bookmarkCommit]));
}

afterEach(killAllCli);
afterAll(removeTemps);

describe.each(backends())('README cron recipes, run as written (%s)', (backend) => {
  let h: Harness;
  const crontab = () => parseCrontab(recipe('crontab'));
  const statusLines = () => parseCrontab(recipe('status')).jobs;

  beforeAll(async () => {
    h = await makeHarness(backend);
  });

  it('the README has every recipe, and the crontab lines are what the text says', () => {
    const { jobs } = crontab();
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatch(/timeout \d+ node bin\/brainsync\.js sync --all --timeout \S+ --json/);
    expect(jobs[1]).toMatch(/sync --break-lock --all --max-age \S+/);
    expect(statusLines()).toHaveLength(2);
    for (const name of ['loop', 'systemd-service', 'systemd-timer']) expect(recipe(name)).not.toBe('');
  });

  it('the staleness line mails while no source has synced; the Prometheus line writes a file that parses', async () => {
    const [stale, prom] = statusLines().map(h.swap);
    const r = h.sh(stale);
    expect(r.code, r.stderr).toBe(0);
    const mail = await readFile(h.mailFile, 'utf8');
    expect(mail).toContain('args: -s brainsync ops');
    expect(mail).toContain('brainsync is stale');

    const p = h.sh(prom);
    expect(p.code, p.stderr).toBe(0);
    expect(await readdir(h.textfile), 'the temp file was renamed into place').toEqual(['brainsync.prom']);
    const families = parsePrometheusTextFormat(await readFile(join(h.textfile, 'brainsync.prom'), 'utf8'));
    const staleness = families.find((f) => f.name === 'brainsync_source_staleness_seconds');
    expect(staleness?.metrics.map((m) => [m.labels?.source, m.value]).sort()).toEqual([
      ['alpha', '+Inf'], ['beta', '+Inf'], ['gamma', '+Inf'],
    ]);
  });

  it('the wave line syncs every source, then finds them up to date; the log is JSON Lines', async () => {
    const wave = h.swap(crontab().jobs[0]);
    for (let i = 0; i < 2; i++) {
      const r = h.sh(wave);
      expect(r.code, await readFile(join(h.log, 'brainsync.log'), 'utf8')).toBe(0);
    }
    const docs = await jsonLines(join(h.log, 'brainsync.json'));
    expect(docs.map(statuses)).toEqual([
      { alpha: 'synced', beta: 'synced', gamma: 'synced' },
      { alpha: 'up_to_date', beta: 'up_to_date', gamma: 'up_to_date' },
    ]);
    expect(await bookmarks(h)).toEqual(await tips(h));
    const verified = await h.cli(['verify', '--all']);
    expect(verified.code, describeRun(verified)).toBe(0);
  });

  it('after the wave, the staleness line is quiet and the Prometheus file shows the runs', async () => {
    const [stale, prom] = statusLines().map(h.swap);
    await rm(h.mailFile, { force: true });
    const r = h.sh(stale);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(h.mailFile), 'no mail when every source is fresh').toBe(false);

    expect(h.sh(prom).code).toBe(0);
    expect(await readdir(h.textfile)).toEqual(['brainsync.prom']);
    const families = parsePrometheusTextFormat(await readFile(join(h.textfile, 'brainsync.prom'), 'utf8'));
    const staleness = families.find((f) => f.name === 'brainsync_source_staleness_seconds')!;
    for (const m of staleness.metrics) expect(Number(m.value), m.labels?.source).toBeLessThan(3600);
    const last = families.find((f) => f.name === 'brainsync_source_last_run_status')!;
    const ones = last.metrics.filter((m) => m.value === '1').map((m) => [m.labels?.source, m.labels?.status]).sort();
    expect(ones).toEqual([['alpha', 'up_to_date'], ['beta', 'up_to_date'], ['gamma', 'up_to_date']]);
  });

  it('the per-source loop runs each source under its own timeout(1) and exits 0', async (ctx) => {
    if (!hasJq) {
      if (process.env.CI) throw new Error('jq is not installed: the loop recipe needs it (.ci/run installs it)');
      ctx.skip('jq is not installed here: the loop recipe cannot run');
    }
    for (const repo of Object.values(h.repos)) {
      await repo.write('new.md', `# New in ${repo.dir}\n`);
      await repo.commit('new page');
    }
    const r = h.sh(await loopScript(h));
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as SyncDoc);
    expect(docs.map(statuses), 'one run per source, found by the jq filter').toEqual([
      { alpha: 'synced' }, { beta: 'synced' }, { gamma: 'synced' },
    ]);
    expect(docs.map((d) => d.sources[0].counts.imported)).toEqual([1, 1, 1]);
    expect(await bookmarks(h)).toEqual(await tips(h));
  });

  it('a wave killed with kill -9 leaves a lock: the loop counts it as temporary, the break-lock line clears it', async (ctx) => {
    if (!hasJq) {
      if (process.env.CI) throw new Error('jq is not installed: the loop recipe needs it (.ci/run installs it)');
      ctx.skip('jq is not installed here: the loop recipe cannot run');
    }
    const corpus = await makeCorpus(1500, 9);
    const env = Object.fromEntries(Object.entries(h.env).filter((e): e is [string, string] => e[1] !== undefined));
    expect((await h.cli(['sources', 'add', 'delta', corpus.dir])).code).toBe(0);
    const victim = await startCli(['sync', '--source', 'delta', '--no-embed'], { env });
    await waitForPhase(victim, 'delta', 'apply', 90_000);
    sendSignal(victim, 'SIGKILL');
    const killed = await waitForExit(victim);
    expect(killed.signal).toBe('SIGKILL');

    const loop = h.sh(await loopScript(h));
    expect(loop.code, `a locked source is temporary for the loop\n${loop.stderr}`).toBe(0);
    const docs = loop.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as SyncDoc);
    // A PGLite brain is one process at a time: whoever opens it next takes a dead holder's
    // locks over at once. On Postgres the lock blocks until its heartbeat is --lock-ttl old.
    const delta = backend === 'pglite' ? 'synced' : 'locked';
    expect(docs.map(statuses)).toEqual([
      { alpha: 'up_to_date' }, { beta: 'up_to_date' }, { delta }, { gamma: 'up_to_date' },
    ]);

    const before = (await jsonLines(join(h.log, 'brainsync.json'))).length;
    const r = h.sh(h.swap(crontab().jobs[1]));
    expect(r.code, await readFile(join(h.log, 'brainsync.log'), 'utf8')).toBe(0);
    const doc = (await jsonLines(join(h.log, 'brainsync.json')))[before];
    if (backend === 'postgres') {
      expect(doc.locks?.find((l) => l.source === 'delta')).toMatchObject({ verdict: 'broken' });
      expect(doc.locks?.find((l) => l.source === 'delta')?.detail).toContain(`pid ${victim.pid}`);
    }
    expect(doc.locks?.map((l) => l.verdict)).not.toContain('held');
    expect(statuses(doc)).toEqual({ alpha: 'up_to_date', beta: 'up_to_date', delta: backend === 'pglite' ? 'up_to_date' : 'synced', gamma: 'up_to_date' });
    const verified = await h.cli(['verify', '--all']);
    expect(verified.code, describeRun(verified)).toBe(0);
  });

  async function writeUnits(): Promise<{ dir: string; service: string; timer: string }> {
    const dir = join(h.work, 'units');
    await mkdir(dir, { recursive: true });
    const service = h.swap(recipe('systemd-service'));
    const timer = h.swap(recipe('systemd-timer'));
    await writeFile(join(dir, 'brainsync.service'), service);
    await writeFile(join(dir, 'brainsync.timer'), timer);
    return { dir, service, timer };
  }

  it("systemd: the service's ExecStart, in its working directory and environment, runs a wave", async () => {
    const { service } = await writeUnits();
    const unit = parseUnit(service).get('Service')!;
    expect(unit.get('Type')).toEqual(['oneshot']);
    const argv = unit.get('ExecStart')![0].split(/\s+/);
    expect(argv[0]).toBe(process.execPath);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    for (const e of unit.get('Environment') ?? []) {
      const [k, ...v] = e.split('=');
      env[k] = v.join('=');
    }
    expect(env.BRAINSYNC_HOME).toBe(h.home);
    if (h.env.BRAINSYNC_DATABASE_URL) env.BRAINSYNC_DATABASE_URL = h.env.BRAINSYNC_DATABASE_URL;
    await h.repos.alpha.write('from-systemd.md', '# From systemd\n');
    await h.repos.alpha.commit('one more');
    const r = spawnSync(argv[0], argv.slice(1), { cwd: unit.get('WorkingDirectory')![0], env, encoding: 'utf8' });
    const ok = [0, ...(unit.get('SuccessExitStatus') ?? []).flatMap((s) => s.split(/\s+/)).map(Number)];
    expect(ok, r.stderr).toContain(r.status);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^alpha: synced/m);
    expect((await bookmarks(h)).alpha).toBe(await h.repos.alpha.git(['rev-parse', 'HEAD']));
  });

  // Skipped where systemd-analyze is not installed (a line on stderr says so).
  it.skipIf(!hasSystemdAnalyze)("systemd: both units pass systemd-analyze verify, and the timer's calendar parses", async () => {
    const { dir, timer } = await writeUnits();
    const v = spawnSync('systemd-analyze', ['verify', join(dir, 'brainsync.service'), join(dir, 'brainsync.timer')], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr.split('\n').filter((l) => l.includes('brainsync')), v.stderr).toEqual([]);
    const calendar = parseUnit(timer).get('Timer')!.get('OnCalendar')![0];
    const c = spawnSync('systemd-analyze', ['calendar', calendar], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/Next elapse:/);
  });

  it('the loop exits 1 naming a source that failed, and still runs the others', async (ctx) => {
    if (!hasJq) {
      if (process.env.CI) throw new Error('jq is not installed: the loop recipe needs it (.ci/run installs it)');
      ctx.skip('jq is not installed here: the loop recipe cannot run');
    }
    await rm(h.repos.beta.dir, { recursive: true, force: true });
    const loop = h.sh(await loopScript(h));
    expect(loop.code, loop.stderr).toBe(1);
    expect(loop.stderr).toContain('sync-each: beta: exit 1');
    const docs = loop.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as SyncDoc);
    expect(docs.map(statuses)).toEqual([
      { alpha: 'up_to_date' }, { beta: 'failed' }, { delta: 'up_to_date' }, { gamma: 'up_to_date' },
    ]);
  });
});
