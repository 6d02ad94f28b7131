import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPostRunHook, type HookDocument } from '../../src/core/postRunHook.js';
import { zeroCounts, zeroTimings, type SourceResult } from '../../src/core/result.js';

function result(changes: SourceResult['changes']): SourceResult {
  return {
    source: 'notes', status: 'synced', runId: 'r1', bookmarkFrom: 'a'.repeat(40), target: 'b'.repeat(40),
    counts: { ...zeroCounts(), imported: 2, deleted: 1 }, timings: { ...zeroTimings(), totalMs: 1234 }, failures: [], changes,
  };
}

const changed = { added: ['new.md'], changed: ['edited.md'], deleted: ['gone.md'], renamed: [{ from: 'a.md', to: 'b.md' }] };

/** Alive and not a zombie (a killed orphan stays a zombie here when PID 1 does not reap). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

describe('the post-run hook', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bs-hook-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('gives a real script the run document on stdin, with the changed paths and the source in its environment', async () => {
    const out = join(dir, 'got.json');
    const hook = await script('hook.sh', `cat > "${out}"; echo "$BRAINSYNC_SOURCE $BRAINSYNC_STATUS" > "${out}.env"`);
    const o = await runPostRunHook({ command: `${hook} --flag`, timeoutMs: 10_000 }, result(changed), '9.9.9');
    expect(o).toMatchObject({ ran: true, ok: true });
    const doc = JSON.parse(await readFile(out, 'utf8')) as HookDocument;
    expect(doc).toMatchObject({
      hook: 'brainsync.on-result', version: '9.9.9', source: 'notes', status: 'synced', runId: 'r1',
      target: 'b'.repeat(40), counts: { imported: 2, deleted: 1 }, durationMs: 1234, changes: changed,
    });
    expect((await readFile(`${out}.env`, 'utf8')).trim()).toBe('notes synced');
  });

  it('does not run when the run changed nothing', async () => {
    const out = join(dir, 'ran');
    const o = await runPostRunHook({ command: `touch "${out}"`, timeoutMs: 10_000 },
      result({ added: [], changed: [], deleted: [], renamed: [] }), '1');
    expect(o).toEqual({ ran: false, why: 'the run changed nothing' });
    await expect(readFile(out)).rejects.toThrow();
  });

  it('reports a failing hook as a problem, never throws', async () => {
    const o = await runPostRunHook({ command: 'exit 3', timeoutMs: 10_000 }, result(changed), '1');
    expect(o).toMatchObject({ ran: true, ok: false, problem: 'exited with status 3' });
  });

  it('stops a hanging hook and everything it started at the limit', async () => {
    const pidFile = join(dir, 'pid');
    const t0 = Date.now();
    const o = await runPostRunHook({ command: `sleep 60 & echo $! > "${pidFile}"; wait`, timeoutMs: 500 }, result(changed), '1');
    expect(o).toMatchObject({ ran: true, ok: false });
    expect((o as { problem: string }).problem).toContain('limit');
    expect(Date.now() - t0).toBeLessThan(10_000);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(await running(grandchild)).toBe(false);
  });

  it('kills a hook that ignores SIGTERM', async () => {
    const pidFile = join(dir, 'pid');
    const hook = await script('stubborn.sh', `echo $$ > "${pidFile}"\ntrap '' TERM\nwhile true; do sleep 0.1; done`);
    const o = await runPostRunHook({ command: hook, timeoutMs: 300 }, result(changed), '1');
    expect(o).toMatchObject({ ran: true, ok: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(await running(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('stops a running hook when brainsync is told to stop, and starts none after', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const o = await runPostRunHook({ command: 'sleep 30', timeoutMs: 60_000, signal: ac.signal }, result(changed), '1');
    expect(o).toMatchObject({ ran: true, ok: false, problem: 'stopped because brainsync was told to stop' });
    const after = await runPostRunHook({ command: 'true', timeoutMs: 1000, signal: ac.signal }, result(changed), '1');
    expect(after).toEqual({ ran: false, why: 'brainsync was told to stop' });
  });

  it('survives a hook that never reads its stdin', async () => {
    const big = result({ ...changed, added: Array.from({ length: 50_000 }, (_, i) => `dir/page-${i}.md`) });
    const o = await runPostRunHook({ command: 'exit 0', timeoutMs: 10_000 }, big, '1');
    expect(o).toMatchObject({ ran: true, ok: true });
  });
});
