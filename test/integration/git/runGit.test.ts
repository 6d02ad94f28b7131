import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/GitError.js';
import { runGit, runGitBuffer, runGitResult } from '../../../src/git/runGit.js';
import { spawnGit } from '../../../src/git/spawnGit.js';
import { createRepo, type TestRepo } from '../../helpers/gitRepo.js';

let repo: TestRepo;
beforeAll(async () => {
  repo = await createRepo();
});
afterAll(() => repo.cleanup());

/** A zombie counts as dead: without an init that reaps, it lingers after SIGKILL. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

describe('runGit', () => {
  it('returns stdout and feeds input to stdin', async () => {
    const oid = (await runGit(repo.dir, ['hash-object', '--stdin'], { input: 'hello\n' })).trim();
    expect(oid).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const buf = await runGitBuffer(repo.dir, ['hash-object', '-t', 'tree', '--stdin'], { input: Buffer.alloc(0) });
    expect(buf.toString()).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904\n');
  });

  it('runs with quotepath off, LC_ALL=C and no terminal prompt', async () => {
    expect((await runGit(repo.dir, ['config', 'core.quotepath'])).trim()).toBe('off');
    const env = await runGit(repo.dir, ['-c', 'alias.env=!env', 'env']);
    expect(env).toContain('LC_ALL=C');
    expect(env).toContain('GIT_TERMINAL_PROMPT=0');
  });

  it('throws a GitError naming the command and the first stderr line', async () => {
    const err = await runGit(repo.dir, ['rev-parse', '--verify', 'no-such-ref']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    const g = err as GitError;
    expect(g.message).toBe('git rev-parse failed (exit 128): fatal: Needed a single revision');
    expect(g.args).toEqual(['rev-parse', '--verify', 'no-such-ref']);
    expect(g.exitCode).toBe(128);
    expect(g.stderr).toContain('Needed a single revision');
  });

  it('keeps credentials in URLs out of the error', async () => {
    const err = (await runGit(repo.dir, ['ls-remote', 'file://user:s3cret@/nonexistent/path']).catch((e: unknown) => e)) as GitError;
    expect(err).toBeInstanceOf(GitError);
    expect(JSON.stringify({ m: err.message, a: err.args, s: err.stderr })).not.toContain('s3cret');
  });

  it('reports a missing working directory as such', async () => {
    const err = (await runGit(join(repo.dir, 'nope'), ['status']).catch((e: unknown) => e)) as GitError;
    expect(err).toBeInstanceOf(GitError);
    expect(err.message).toContain('does not exist');
  });

  it('returns non-zero exits without throwing from runGitResult', async () => {
    const r = await runGitResult(repo.dir, ['show-ref', '--verify', '--quiet', 'refs/heads/nope']);
    expect(r.exitCode).toBe(1);
  });

  it('kills a slow child and everything it started when the signal aborts, rejecting with the reason', async () => {
    const pidFile = join(repo.dir, 'slow.pid');
    const ac = new AbortController();
    const started = Date.now();
    const p = runGit(repo.dir, ['-c', `alias.slow=!echo $$ > '${pidFile}'; exec sleep 30`, 'slow'], { signal: ac.signal });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
    const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
    const reason = new Error('budget spent');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(1500);
    for (let i = 0; i < 100 && isAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 10));
    expect(isAlive(grandchild)).toBe(false);
  });

  it('SIGKILLs what ignores SIGTERM once the grace period is over', async () => {
    const pidFile = join(repo.dir, 'stubborn.pid');
    const ac = new AbortController();
    const git = spawnGit(repo.dir, ['-c', `alias.stubborn=!trap '' TERM; echo $$ > '${pidFile}'; exec sleep 30`, 'stubborn'], {
      signal: ac.signal,
      killGraceMs: 200,
    });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
    const stubborn = Number(readFileSync(pidFile, 'utf8').trim());
    ac.abort(new Error('stop'));
    await expect(git.exited).rejects.toThrow('stop');
    for (let i = 0; i < 100 && isAlive(stubborn); i++) await new Promise((r) => setTimeout(r, 10));
    expect(isAlive(stubborn)).toBe(false);
  });

  it('does not start git when the signal is already aborted', async () => {
    const reason = new Error('already');
    await expect(runGit(repo.dir, ['status'], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
