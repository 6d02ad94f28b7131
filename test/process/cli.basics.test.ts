import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrain } from '../helpers/brains.js';
import { describeRun, killAllCli, resultOf, runCli, type CliResult } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { processBrain, removeTemps, tempDir } from './fixtures.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function expectUsage(r: CliResult, message: RegExp): void {
  expect(r.code, describeRun(r)).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected failure/);
  // A usage error is one short message, never a stack trace.
  expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
}

describe('the CLI surface', () => {
  let brain: TestBrain;
  let repo: TestRepo;
  beforeAll(async () => {
    brain = await processBrain('pglite');
    repo = await createRepo();
    await repo.write('a.md', '# A\n\nText.\n');
    await repo.commit('first');
    const added = await runCli(['sources', 'add', 'notes', repo.dir], { db: brain });
    expect(added.code, describeRun(added)).toBe(0);
  });
  afterAll(async () => {
    await repo?.cleanup();
    await removeTemps();
  });
  afterEach(killAllCli);

  it('prints help and the version, exiting 0', async () => {
    const [help, version_, syncHelp] = await Promise.all([
      runCli(['--help']),
      runCli(['--version']),
      runCli(['sync', '--help']),
    ]);
    expect(help.code, describeRun(help)).toBe(0);
    expect(help.stdout).toMatch(/Usage: brainsync/);
    for (const cmd of ['init', 'sources', 'sync', 'pages', 'locks']) expect(help.stdout).toContain(cmd);
    expect(version_.code, describeRun(version_)).toBe(0);
    expect(version_.stdout.trim()).toBe(version);
    expect(syncHelp.code, describeRun(syncHelp)).toBe(0);
    expect(syncHelp.stdout).toMatch(/--timeout <dur>/);
    expect(syncHelp.stdout).toMatch(/--break-lock/);
    const asked = await runCli(['help', 'sources']);
    expect(asked.code, describeRun(asked)).toBe(0);
    expect(asked.stdout).toMatch(/Usage: brainsync sources/);
  });

  it('exits 2 with the help on stderr when no command is given, so a crontab line missing its command fails', async () => {
    for (const args of [['--db', brain.arg], ['--db', brain.arg, '--json'], ['--db', brain.arg, 'sources']]) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}\n${describeRun(r)}`).toBe(2);
      expect(r.stderr).toMatch(/Usage: brainsync/);
      if (args.includes('--json')) expect(JSON.parse(r.stdout)).toMatchObject({ exitCode: 2, error: { code: 'usage', message: /no command given/ } });
      else expect(r.stdout).toBe('');
    }
  });

  it('refuses a bad source definition with exit 2 and a message saying what to do', async () => {
    const notRepo = await tempDir('brainsync-not-a-repo-');
    const cases: Array<[string[], RegExp]> = [
      [['sources', 'add', 'Bad Name!', repo.dir], /source name "Bad Name!" is not allowed: use lower-case letters/],
      [['sources', 'add', 'other', `${notRepo}/missing`], /does not exist\. Pass the path of a git repository/],
      [['sources', 'add', 'other', notRepo], /is not a git repository\. Run `git init` there first/],
      [['sources', 'add', 'other', repo.dir, '--branch', 'no-such-branch'], /branch "no-such-branch" does not exist in .*Check the name with `git -C/],
      [['sources', 'add', 'notes', repo.dir], /a source named "notes" already exists\. Pick another name, or remove it first/],
      [['sources', 'add', 'other', repo.dir, '--no-such-flag'], /unknown option '--no-such-flag'[\s\S]*--help/],
      // An invalid branch name is the user's to fix, never an "unexpected failure".
      [['sources', 'add', 'other', repo.dir, '--branch', '--upload-pack=touch /tmp/brainsync-pwned'], /--branch "--upload-pack=touch \/tmp\/brainsync-pwned" is not a valid branch name: it starts with "-"\. A branch name \(git check-ref-format --branch\)/],
      [['sources', 'add', 'other', repo.dir, '--branch', '-x'], /--branch "-x" is not a valid branch name: it starts with "-"/],
      [['sources', 'add', 'other', repo.dir, '--branch', 'main..x'], /--branch "main\.\.x" is not a valid branch name: it contains "\.\."[^\n]*for example "main"/],
    ];
    // One process at a time on a PGLite brain.
    for (const [args, message] of cases) expectUsage(await runCli(args, { db: brain }), message);
    const list = await runCli(['--json', 'sources', 'list'], { db: brain });
    expect(list.code, describeRun(list)).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['notes']);
  });

  it('refuses a --timeout that is not a positive whole duration, naming the flag and quoting the value', async () => {
    const values = ['0', '-5', '1.5', '10d', 'abc'];
    const runs = await Promise.all(values.map((v) => runCli(['sync', '--source', 'notes', '--timeout', v], { db: brain })));
    for (const [i, r] of runs.entries()) expectUsage(r, new RegExp(`--timeout "${values[i].replace('.', '\\.')}"[^\\n]*(use|for example)`));
  });

  it('refuses an empty --db (an unset variable) instead of using the default brain', async () => {
    const home = await tempDir('bs-home-');
    const r = await runCli(['--db', '', 'sync', '--all'], { env: { BRAINSYNC_HOME: home } });
    expectUsage(r, /--db is empty[^\n]*give a PGLite directory or a postgres:\/\/ URL/);
    expect(await readdir(home)).toEqual([]);
  });

  it('refuses --max-age without --break-lock, with --force-break-lock, and shorter than two heartbeats', async () => {
    const [alone, forced, short, shortTtl] = await Promise.all([
      runCli(['sync', '--source', 'notes', '--max-age', '30s'], { db: brain }),
      runCli(['sync', '--source', 'notes', '--force-break-lock', '--max-age', '30s'], { db: brain }),
      // default TTL 60s → a heartbeat every 10s → at least 20s
      runCli(['sync', '--source', 'notes', '--break-lock', '--max-age', '19s'], { db: brain }),
      // --lock-ttl 12s → a heartbeat every 2s → at least 4s
      runCli(['sync', '--source', 'notes', '--lock-ttl', '12s', '--break-lock', '--max-age', '3s'], { db: brain }),
    ]);
    expectUsage(alone, /--max-age[^\n]*--break-lock/);
    expectUsage(forced, /--max-age[^\n]*(--break-lock|--force-break-lock)/);
    expectUsage(short, /--max-age "19s" is shorter than two heartbeats \(20s\)[^\n]*Use at least 20s/);
    expectUsage(shortTtl, /--max-age "3s" is shorter than two heartbeats \(4s\)/);
    // Without --max-age, a TTL too short for two heartbeats is refused as --lock-ttl's fault.
    expectUsage(await runCli(['sync', '--all', '--lock-ttl', '1s'], { db: brain }), /--lock-ttl "1s" is shorter than two heartbeats \(2s\)[^\n]*Use at least 2s/);
  });

  it('never lets a global flag swallow a sync flag: the documented forms parse as written', async () => {
    const forms: string[][] = [
      ['--db', brain.arg, 'sync', '--source', 'notes', '--timeout', '540'],
      ['--db', brain.arg, '--json', 'sync', '--source', 'notes', '--timeout', '540'],
      ['--db', brain.arg, 'sync', '--timeout', '540', '--source', 'notes', '--json'],
      ['--db', brain.arg, '--quiet', 'sync', '--all', '--timeout', '9m', '--lock-ttl', '60s'],
      ['--db', brain.arg, 'sync', '--source', 'notes', '--break-lock', '--max-age', '30s', '--timeout', '540'],
      ['--db', brain.arg, 'sync', '--source', 'notes', '--force-break-lock', '--timeout', '2h', '--no-pull'],
      ['sync', '--source', 'notes', '--timeout', '540', '--db', brain.arg],
    ];
    for (const args of forms) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}\n${describeRun(r)}`).toBe(0);
      if (args.includes('--json')) expect(['synced', 'up_to_date']).toContain(resultOf(r).status);
    }
    // And the flag really reaches sync: a bad value is refused by sync, naming sync's flag.
    const bad = await runCli(['--db', brain.arg, 'sync', '--source', 'notes', '--timeout', '540x']);
    expectUsage(bad, /--timeout "540x"/);
  });

  it('shows each phase a sync runs once, and no embed phase under --no-embed', async () => {
    // A sync with work after the no-op check pulled: the run reuses that pull.
    await repo.write('b.md', '# B\n\nMore.\n');
    await repo.commit('second');
    const r = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
    const phases = r.stderr.split('\n').filter((l) => /^notes: [a-z]+( —|$)/.test(l)).map((l) => l.slice('notes: '.length).split(' ')[0]);
    expect(phases).toEqual(['pull', 'lock', 'plan', 'apply', 'bookmark']);
    expect(r.stderr).toMatch(/^notes: synced · 1 imported/m);
  });
});
