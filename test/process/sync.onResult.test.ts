import { readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HookDocument } from '../../src/core/postRunHook.js';
import { describeRun, jsonOf, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { brainWithSource, removeTemps, tempDir } from './fixtures.js';

afterAll(removeTemps);

async function repoWithNotes(): Promise<TestRepo> {
  const repo = await createRepo();
  await repo.write('a.md', '# A\n\nFirst note.\n');
  await repo.write('b.md', '# B\n\nSecond note.\n');
  await repo.commit('first');
  return repo;
}

describe('sync --on-result', () => {
  it('hands each run that changed pages to the command, with the changed paths, and skips runs that changed nothing', async () => {
    const repo = await repoWithNotes();
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    const dir = await tempDir('bs-hook-');
    const out = join(dir, 'doc.json');
    const hook = `cat >> "${out}"; echo hook-stdout; echo hook-stderr >&2`;
    const first = await runCli(['--json', 'sync', '--source', 'notes', '--on-result', hook, '--no-embed'], { db: brain });
    expect(first.code, describeRun(first)).toBe(0);
    // What the hook prints goes to brainsync's stderr: stdout stays one JSON document.
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    expect(first.stdout).not.toContain('hook-stdout');
    expect(first.stderr).toContain('hook-stdout');
    expect(first.stderr).toContain('hook-stderr');
    const docs = () => readFile(out, 'utf8').then((t) => t.trim().split('\n').map((l) => JSON.parse(l) as HookDocument));
    expect(await docs()).toEqual([expect.objectContaining({
      hook: 'brainsync.on-result', source: 'notes', status: 'synced',
      changes: { added: ['a.md', 'b.md'], changed: [], deleted: [], renamed: [] },
      target: jsonOf(first).sources[0].target,
    })]);
    // The printed result stays small: the path lists are the hook's, not --json's.
    expect(jsonOf(first).sources[0]).not.toHaveProperty('changes');

    const noop = await runCli(['sync', '--source', 'notes', '--on-result', hook, '--no-embed'], { db: brain });
    expect(noop.code, describeRun(noop)).toBe(0);
    expect(await docs()).toHaveLength(1);

    await repo.write('a.md', '# A\n\nEdited.\n');
    await repo.remove('b.md');
    await repo.write('c.md', '# C\n\nNew.\n');
    await repo.commit('second');
    // Configured through the environment this time, as a crontab line might.
    const second = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain, env: { BRAINSYNC_ON_RESULT: hook } });
    expect(second.code, describeRun(second)).toBe(0);
    expect((await docs())[1]).toMatchObject({ changes: { added: ['c.md'], changed: ['a.md'], deleted: ['b.md'], renamed: [] } });
  });

  it('a failing or hanging hook is a warning: the result and the exit code stay those of the sync', async () => {
    const repo = await repoWithNotes();
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    const failing = await runCli(['--json', 'sync', '--source', 'notes', '--on-result', 'exit 7', '--no-embed'], { db: brain });
    expect(failing.code, describeRun(failing)).toBe(0);
    expect(jsonOf(failing).sources[0].status).toBe('synced');
    expect(failing.stderr).toContain('the --on-result command exited with status 7; the sync itself is not affected');

    const dir = await tempDir('bs-hook-');
    const script = join(dir, 'hang.sh');
    await writeFile(script, `#!/bin/sh\necho $$ > "${dir}/pid"\nsleep 600\n`);
    await chmod(script, 0o755);
    await repo.write('d.md', '# D\n\nAnother.\n');
    await repo.commit('third');
    const hanging = await runCli(
      ['--json', 'sync', '--source', 'notes', '--on-result', script, '--on-result-timeout', '1s', '--no-embed'], { db: brain },
    );
    expect(hanging.code, describeRun(hanging)).toBe(0);
    expect(jsonOf(hanging).sources[0].status).toBe('synced');
    expect(hanging.stderr).toMatch(/--on-result command ran past its 1 s limit and was stopped/);
    expect(hanging.ms).toBeLessThan(30_000);
    // The hook was stopped, not left behind (a killed orphan may stay a zombie here).
    const pid = Number(await readFile(join(dir, 'pid'), 'utf8'));
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    expect(state === null || state.slice(state.lastIndexOf(')') + 2)[0] === 'Z', `hook pid ${pid} still runs`).toBe(true);
  });

  it('refuses --on-result-timeout without a command', async () => {
    const repo = await repoWithNotes();
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    const r = await runCli(['sync', '--source', 'notes', '--on-result-timeout', '5s'], { db: brain });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain('--on-result-timeout only makes sense with --on-result');
  });
});
