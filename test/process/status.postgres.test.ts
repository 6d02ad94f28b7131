import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manifestPath } from '../../src/status/manifestPath.js';
import { backends, freshBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { createRole, dropRoles } from '../helpers/pgRoles.js';
import { note } from '../helpers/sync.js';
import { resolveDbTarget } from '../../src/db/target.js';
import { brainWithSource, removeTemps, tempDir } from './fixtures.js';

interface StatusJson {
  from: 'manifest' | 'live';
  sources: Array<{ name: string; lastRun: { status: string } | null }>;
}

let repo: TestRepo | undefined;
afterEach(killAllCli);
afterAll(async () => {
  await repo?.cleanup();
  await dropRoles();
  await removeTemps();
});

describe.skipIf(!backends().includes('postgres'))('brainsync status on a Postgres brain', () => {
  it('answers from a manifest that another user wrote through another spelling of the URL, and refuses one of another database', async () => {
    repo = await createRepo();
    await repo.write('a.md', note('A'));
    await repo.commit('one');
    const brain = await brainWithSource('postgres', 'notes', repo.dir);
    const env = { BRAINSYNC_HOME: await tempDir('brainsync-home-') };

    // The cron job writes through its own URL: postgresql://, the superuser, a query string.
    const writerUrl = new URL(brain.arg);
    writerUrl.protocol = 'postgresql:';
    writerUrl.searchParams.set('application_name', 'cron');
    const synced = await runCli(['sync', '--source', 'notes'], { db: writerUrl.toString(), env });
    expect(synced.code, describeRun(synced)).toBe(0);

    // A monitoring role reads it through the plain URL: from the manifest, no warning, no connection needed.
    const reader = await createRole(brain, ['grant select on all tables in schema public to $role']);
    const st = await runCli(['--json', 'status'], { db: reader.url, env });
    expect(st.code, describeRun(st)).toBe(0);
    expect(st.stderr).toBe('');
    expect(jsonOf<StatusJson>(st)).toMatchObject({ from: 'manifest', sources: [{ name: 'notes', lastRun: { status: 'synced' } }] });
    const human = await runCli(['status'], { db: reader.url, env });
    expect(human.stderr).not.toMatch(/describes another brain|querying the database instead/);
    expect(human.stderr).not.toContain(reader.password);
    // Labelled as the reader names the brain, not as the last writer did: series do not split.
    const prom = await runCli(['status', '--format', 'prometheus'], { db: reader.url, env });
    expect(prom.stdout).toContain(`brain="postgres://${reader.name}:***@`);
    expect(prom.stdout).not.toContain('application_name');

    // Another database on the same server is another brain, whatever its manifest file holds.
    const other = await freshBrain('postgres');
    const otherPath = manifestPath(resolveDbTarget({ flag: other.arg, env: {} }), env.BRAINSYNC_HOME);
    await mkdir(dirname(otherPath), { recursive: true });
    await copyFile(manifestPath(brain.target, env.BRAINSYNC_HOME), otherPath);
    const refused = await runCli(['--json', 'status'], { db: other, env });
    expect(refused.code, describeRun(refused)).toBe(0);
    expect(refused.stderr).toMatch(/the status manifest .* describes another brain \(postgresql:\/\/postgres:\*\*\*@.*\); querying the database instead/);
    expect(jsonOf<StatusJson>(refused)).toMatchObject({ from: 'live', sources: [] });
  });
});
