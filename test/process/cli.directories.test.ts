import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { insertSource } from '../../src/db/sourcesQueries.js';
import { describeRun, killAllCli, resultOf, runCli, withDb, type CliOptions, type CliResult } from '../helpers/cli.js';
import { processBrain, removeTemps, tempDir } from './fixtures.js';

/**
 * Permission cases need a user that permissions stop. As root (CI containers) the CLI runs as
 * `nobody`, so the directories it must reach are opened up to others; otherwise it runs as us.
 */
const asRoot = process.getuid?.() === 0;
const unprivileged: CliOptions = asRoot ? { user: { uid: 65534, gid: 65534 }, env: { HOME: '/nonexistent' } } : {};
/** Root in a container without CAP_SETUID cannot drop to `nobody`; then permissions cannot be tested. */
const permissionsTestable = !asRoot || spawnSync(process.execPath, ['-e', ''], { uid: 65534, gid: 65534 }).status === 0;
const skipReason = 'running as root without the right to switch to nobody: permissions do not stop root';

/** A temp dir the unprivileged CLI can enter (and, with `writable`, create files in). */
async function openDir(prefix: string, writable = false): Promise<string> {
  const dir = await tempDir(prefix);
  await chmod(dir, writable ? 0o777 : 0o755);
  return dir;
}

/** Fails unless the command ended with `code` and said `message` on stderr, without a crash report. */
function expectRefusal(r: CliResult, code: number, message: RegExp): void {
  expect(r.code, describeRun(r)).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected failure|\n\s+at /);
}

describe('a brain or data directory brainsync cannot use', () => {
  afterEach(killAllCli);
  afterAll(removeTemps);

  it('BRAINSYNC_HOME is a regular file: exit 2, naming the file and the setting to change', async () => {
    const dir = await tempDir('brainsync-home-file-');
    const file = join(dir, 'home');
    await writeFile(file, 'not a directory\n');
    for (const home of [file, join(file, 'sub')]) {
      for (const args of [['init'], ['sources', 'list']]) {
        const r = await runCli(args, { env: { BRAINSYNC_HOME: home } });
        expectRefusal(r, 2, new RegExp(`${join(home, 'brain')} cannot be used: ${file} is a file, not a directory\\. Point BRAINSYNC_HOME at a directory this user can write, or pass --db DIR\\.`));
      }
    }
    const viaFlag = await runCli(['init'], { db: join(file, 'brain') });
    expectRefusal(viaFlag, 2, new RegExp(`${file} is a file, not a directory\\. Pass --db a directory this user can write\\.`));
  });

  it('init refuses a directory that holds other files (a notes repository given as --db), writing nothing into it', async () => {
    const notes = await tempDir('brainsync-not-a-brain-');
    spawnSync('git', ['init', '-q', notes]);
    await writeFile(join(notes, 'a.md'), '# A\n');
    await writeFile(join(notes, 'postgresql.conf'), 'my own settings\n');
    const r = await runCli(['init'], { db: notes });
    expectRefusal(r, 2, new RegExp(`${notes} is not a brainsync brain and is not empty \\(it holds \\.git, a\\.md\\), so no brain was created there\\. A PGLite brain needs a directory of its own`));
    expect((await readdir(notes)).sort()).toEqual(['.git', 'a.md', 'postgresql.conf']);
    expect(await readFile(join(notes, 'postgresql.conf'), 'utf8')).toBe('my own settings\n');
    expect(existsSync(`${notes}.status.json`)).toBe(false);

    // An empty directory, and one an interrupted init left (Postgres's own names only), are fine.
    const empty = await tempDir('brainsync-empty-brain-');
    expect((await runCli(['init', '-q'], { db: empty })).code).toBe(0);
    const partial = await tempDir('brainsync-partial-brain-');
    await mkdir(join(partial, 'base'));
    await mkdir(join(partial, 'pg_wal'));
    const resumed = await runCli(['init', '-q'], { db: partial });
    expect(resumed.code, describeRun(resumed)).toBe(0);
    expect((await runCli(['sources', 'list', '-q'], { db: partial })).code).toBe(0);
  });

  it.skipIf(!permissionsTestable)(`BRAINSYNC_HOME is not writable: exit 1, naming the directory and what to do${permissionsTestable ? '' : ` (skipped: ${skipReason})`}`, async () => {
    const parent = await openDir('brainsync-home-ro-');
    const home = join(parent, 'home');
    await mkdir(home);
    await chmod(home, 0o555);
    const r = await runCli(['init'], { ...unprivileged, env: { ...unprivileged.env, BRAINSYNC_HOME: home } });
    expectRefusal(r, 1, new RegExp(`brainsync's data directory \\(from BRAINSYNC_HOME\\) ${home} is not writable by this user \\(EACCES[^)]*\\)\\. Make it writable by the user that runs brainsync; or point BRAINSYNC_HOME at a directory this user can write`));

    const below = await runCli(['init'], { ...unprivileged, env: { ...unprivileged.env, BRAINSYNC_HOME: join(home, 'sub') } });
    expectRefusal(below, 1, new RegExp(`${join(home, 'sub')} cannot be created: ${home} is not writable by this user`));
  });

  it.skipIf(!permissionsTestable)(`a PGLite brain this user cannot write: says it must be writable, not "readable"${permissionsTestable ? '' : ` (skipped: ${skipReason})`}`, async () => {
    const brain = await processBrain('pglite');
    // The lock file goes next to the brain: that much stays writable.
    await chmod(join(brain.arg, '..'), 0o777);
    await chmod(brain.arg, 0o555);
    const r = await runCli(['sources', 'list'], { ...unprivileged, db: brain });
    expectRefusal(r, 1, new RegExp(`the PGLite brain ${brain.arg} is not writable by this user \\(EACCES[^)]*\\)\\. Make it writable by the user that runs brainsync; or run brainsync as the user that owns it`));
    expect(r.stderr).not.toMatch(/is readable/);
    await chmod(brain.arg, 0o755);
  });

  it('a mirror directory under a BRAINSYNC_HOME that is a file: the source fails saying which directory and what to do', async () => {
    const file = join(await tempDir('brainsync-mirror-home-'), 'home');
    await writeFile(file, 'not a directory\n');
    const brain = await processBrain('pglite');
    // Added directly: the URL is never reached, the mirror directory fails first.
    await withDb(brain, (db) =>
      insertSource(db, { name: 'remote', repo: 'https://example.invalid/notes.git', repoKind: 'remote', branch: 'main', subdir: '', embedModel: null }),
    );
    const r = await runCli(['--json', 'sync', '--source', 'remote'], { db: brain, env: { BRAINSYNC_HOME: file } });
    expect(r.code, describeRun(r)).toBe(1);
    expect(resultOf(r).status).toBe('failed');
    expect(resultOf(r).message).toMatch(
      new RegExp(`source "remote": brainsync's mirror ${file}/mirrors/\\w+/remote cannot be used: ${file} is a file, not a directory\\. Point BRAINSYNC_HOME`),
    );
  });

  it.skipIf(!permissionsTestable)(`a repository directory this user cannot enter: the message names the directory, not git${permissionsTestable ? '' : ` (skipped: ${skipReason})`}`, async () => {
    const home = await openDir('brainsync-home-', true);
    const repo = join(await openDir('brainsync-closed-'), 'repo');
    await mkdir(repo);
    spawnSync('git', ['init', '-q', repo]);
    await chmod(repo, 0o700);
    const as = { ...unprivileged, env: { ...unprivileged.env, BRAINSYNC_HOME: home } };
    expect((await runCli(['init', '-q'], as)).code).toBe(0);
    const r = await runCli(['sources', 'add', 'closed', repo], as);
    expectRefusal(r, 2, new RegExp(`${repo} cannot be read as a git repository: git rev-parse could not start: permission denied entering directory ${repo}: let the user brainsync runs as read it`));
  });
});
