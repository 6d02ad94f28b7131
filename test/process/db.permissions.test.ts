import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backends, freshBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, runCli, type CliResult, type SyncJson } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { createRole, dropRoles, type TestRole } from '../helpers/pgRoles.js';
import { note } from '../helpers/sync.js';
import { brainWithSource, removeTemps } from './fixtures.js';

let repo: TestRepo | undefined;
afterEach(killAllCli);
afterAll(async () => {
  await repo?.cleanup();
  await dropRoles();
  await removeTemps();
});

/** What every refused command says: whose right, what the server refused, what to do; never the password. */
function expectRefused(r: CliResult, role: TestRole, refused: RegExp): void {
  const out = r.stdout + r.stderr;
  expect(out).toMatch(new RegExp(`the database user "${role.name}" lacks a right brainsync needs: ${refused.source}`));
  expect(out).toMatch(/Connect as the user that owns the brain's tables \(the one that ran `brainsync init`\), or grant/);
  expect(out).toMatch(/SELECT, INSERT, UPDATE, DELETE on all tables in schema public/);
  expect(out).not.toMatch(/unexpected failure|report it/);
  expect(out).not.toContain(role.password);
}

describe.skipIf(!backends().includes('postgres'))('a Postgres role without the rights brainsync needs', () => {
  it('init without CREATE on schema public exits 1 naming the user and the right, not "unexpected failure"', async () => {
    const brain = await freshBrain('postgres', { empty: true });
    const role = await createRole(brain);
    const r = await runCli(['init'], { db: role.url });
    expect(r.code, describeRun(r)).toBe(1);
    expectRefused(r, role, /permission denied for schema public/);

    const json = await runCli(['--json', 'init'], { db: role.url });
    expect(json.code).toBe(1);
    expect(jsonOf<{ error: { code: string } }>(json).error.code).toBe('permission_denied');
  });

  it('a read-only role: sources add exits 1 and sync fails each source with the same advice; the rights it names are enough', async () => {
    repo = await createRepo();
    await repo.write('a.md', note('A'));
    await repo.commit('one');
    const brain = await brainWithSource('postgres', 'notes', repo.dir);
    const reader = await createRole(brain, ['grant select on all tables in schema public to $role']);

    const add = await runCli(['sources', 'add', 'other', repo.dir], { db: reader.url });
    expect(add.code, describeRun(add)).toBe(1);
    expectRefused(add, reader, /permission denied for table sources/);

    const sync = await runCli(['--json', 'sync', '--source', 'notes'], { db: reader.url });
    expect(sync.code, describeRun(sync)).toBe(1);
    const [result] = jsonOf<SyncJson>(sync).sources;
    expect(result).toMatchObject({ source: 'notes', status: 'failed' });
    expectRefused({ ...sync, stdout: result!.message ?? '', stderr: '' }, reader, /permission denied for table \w+/);
    expectRefused(sync, reader, /permission denied for table \w+/);

    // What the advice names is what a writer needs.
    const writer = await createRole(brain, ['grant select, insert, update, delete on all tables in schema public to $role']);
    const ok = await runCli(['sync', '--source', 'notes'], { db: writer.url });
    expect(ok.code, describeRun(ok)).toBe(0);
  });

  it('a database the role may not connect to exits 1 with the same advice, not "could not connect … Check that the server is running"', async () => {
    const brain = await freshBrain('postgres');
    const role = await createRole(brain, [`revoke connect on database ${new URL(brain.arg).pathname.slice(1)} from public`]);
    const r = await runCli(['sources', 'list'], { db: role.url });
    expect(r.code, describeRun(r)).toBe(1);
    expectRefused(r, role, /permission denied for database "?brainsync_test_\w+"?/);
    expect(r.stderr).not.toMatch(/Check that the server is running/);
  });
});
