import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/brains.js';
import {
  brainPages, describeRun, jsonOf, killAllCli, lockRow, pgQuery, resultOf, runCli, sendSignal, startCli, waitForExit,
  waitForPages, waitForPhase, waitUntil,
} from '../helpers/cli.js';
import { createRepo } from '../helpers/gitRepo.js';
import {
  brainWithSource, corpusPages, killRemoteProcesses, makeCorpus, makeSshRemote, processBrain, removeTemps, type Corpus,
} from './fixtures.js';

let corpus: Corpus;
beforeAll(async () => {
  if (backends().includes('postgres')) corpus = await makeCorpus(corpusPages.postgres, 4);
});
afterAll(removeTemps);
afterEach(async () => {
  await killAllCli();
  await killRemoteProcesses();
});

describe.runIf(backends().includes('postgres'))('sync --break-lock on Postgres', () => {
  it('never breaks a healthy long-running holder whose heartbeat is fresh (--max-age 30s)', async () => {
    const brain = await brainWithSource('postgres', 'notes', corpus.dir);
    // Default TTL 60 s: a heartbeat every 10 s, so --max-age 30s is allowed and the holder's
    // heartbeat is at most ~10 s old whenever the breaker looks.
    const holder = await startCli(['--json', 'sync', '--source', 'notes'], { db: brain });
    await waitForPages(brain, 'notes', 200, { alive: holder });
    const row = await lockRow(brain, 'notes');
    const token = row?.token;
    // The holder's command line is on show to other processes: the --db password is not.
    const password = new URL(brain.arg).password;
    expect(password).not.toBe('');
    expect(row?.holder_command).toMatch(/brainsync --db postgres:\/\/\S+:\*\*\*@/);
    expect(row?.holder_command).not.toContain(`:${password}@`);

    const breaker = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock', '--max-age', '30s'], { db: brain });
    expect(breaker.code, describeRun(breaker)).toBe(75);
    const doc = jsonOf(breaker);
    expect(doc.locks).toHaveLength(1);
    expect(doc.locks![0].verdict).toBe('held');
    expect(doc.locks![0].detail).toMatch(new RegExp(`pid ${holder.pid} .*Not broken`));
    expect(doc.sources[0]).toMatchObject({ status: 'locked', holder: { pid: holder.pid } });
    expect(holder.done(), 'the holder was still importing while the breaker looked').toBe(false);
    expect((await lockRow(brain, 'notes'))?.token, 'the holder keeps its lock').toBe(token);

    const done = await waitForExit(holder, 90_000);
    expect(done.code, describeRun(done)).toBe(0);
    expect(resultOf(done)).toMatchObject({ status: 'synced', counts: { imported: corpus.pages.size } });
    expect(await brainPages(brain, 'notes')).toEqual(corpus.pages);
  });

  it('never breaks a holder that has run longer than --max-age while its heartbeat keeps beating', async () => {
    // A holder stuck in a slow fetch: alive, holding the lock, beating every second (--lock-ttl 6s).
    const remote = await makeSshRemote({ 'a.md': '# A\n\nText.\n' });
    const brain = await processBrain('postgres');
    const added = await runCli(['sources', 'add', 'notes', remote.url], { db: brain, env: remote.fastEnv });
    expect(added.code, describeRun(added)).toBe(0);
    const holder = await startCli(['--json', 'sync', '--source', 'notes', '--lock-ttl', '6s'], { db: brain, env: (await remote.slow(60)).env });
    await waitForPhase(holder, 'notes', 'pull');
    // Held for longer than the breaker's --max-age, with several heartbeats since it was taken.
    const held = await waitUntil('the holder to have held its lock for 6 s', async () => {
      const r = await pgQuery(brain, `select extract(epoch from now() - acquired_at)::float8 as age, token from sync_locks where name = 'notes'`);
      return r.rows[0]?.age > 6 ? (r.rows[0] as { token: string }) : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, alive: holder });

    const breaker = await runCli(['--json', 'sync', '--source', 'notes', '--lock-ttl', '6s', '--break-lock', '--max-age', '4s'], { db: brain });
    expect(breaker.code, describeRun(breaker)).toBe(75);
    expect(jsonOf(breaker).locks![0]).toMatchObject({ verdict: 'held', holder: { pid: holder.pid } });
    expect(resultOf(breaker).status).toBe('locked');
    expect((await lockRow(brain, 'notes'))?.token).toBe(held.token);
    expect(holder.done()).toBe(false);

    sendSignal(holder, 'SIGTERM');
    const stopped = await waitForExit(holder, 10_000);
    expect(stopped.code, describeRun(stopped)).toBe(75);
    expect(await lockRow(brain, 'notes')).toBeNull();
  });

  it('breaks a lock whose heartbeat is an hour old, and says so in the --json verdict; a fresh one it leaves', async () => {
    const repo = await createRepo();
    await repo.write('a.md', '# A\n\nText.\n');
    await repo.write('b.md', '# B\n\nMore text.\n');
    await repo.commit('first');
    const brain = await brainWithSource('postgres', 'notes', repo.dir);
    // A holder on another machine: its pid cannot be checked from here, only its heartbeat.
    await pgQuery(
      brain,
      `insert into sync_locks (name, token, holder_host, holder_pid, holder_command, run_id, acquired_at, heartbeat_at, expires_at)
       values ('notes', 'remote-token', 'elsewhere.example', 4242, 'brainsync sync --all', 'remote-run', now(), now(), now() + interval '60 seconds')`,
    );
    const fresh = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock', '--max-age', '30s'], { db: brain });
    expect(fresh.code, describeRun(fresh)).toBe(75);
    expect(jsonOf(fresh).locks![0]).toMatchObject({ verdict: 'held', holder: { host: 'elsewhere.example', pid: 4242 } });
    expect(resultOf(fresh).status).toBe('locked');
    expect((await lockRow(brain, 'notes'))?.token).toBe('remote-token');

    await pgQuery(brain, `update sync_locks set heartbeat_at = now() - interval '1 hour' where name = 'notes'`);
    const stale = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock', '--max-age', '30s'], { db: brain });
    expect(stale.code, describeRun(stale)).toBe(0);
    const doc = jsonOf(stale);
    expect(doc.locks![0]).toMatchObject({ source: 'notes', verdict: 'broken', holder: { host: 'elsewhere.example', pid: 4242 } });
    expect(doc.locks![0].detail).toMatch(/no heartbeat for (3[56]\d\d)s/);
    expect(doc.sources[0]).toMatchObject({ status: 'synced', counts: { imported: 2 } });
    expect(stale.stderr).toMatch(/notes: lock broken: no heartbeat/);
    expect(await lockRow(brain, 'notes')).toBeNull();
    await repo.cleanup();
  });
});
