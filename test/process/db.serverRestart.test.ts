import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestBrain } from '../helpers/brains.js';
import {
  brainPages, describeRun, jsonOf, killAllCli, pgQuery, runCli, startCli, waitForExit, waitForPages,
  type CliResult,
} from '../helpers/cli.js';
import { createDatabase, startPgServer, type PgServer } from '../helpers/pgServer.js';
import { resolveDbTarget } from '../../src/db/target.js';
import { connectionLostPattern, expectOrderlyExit } from './connectionLoss.js';
import { corpusPages, makeCorpus, removeTemps, tempDir, type Corpus } from './fixtures.js';

// These tests stop the server under brainsync, so they start one of their own: the shared
// server of globalSetup must stay up for every other test file.
let server: PgServer;
let corpus: Corpus;
let databases = 0;
const needed = backends().includes('postgres');

beforeAll(async () => {
  if (!needed) return;
  corpus = await makeCorpus(corpusPages.postgres, 12);
  server = await startPgServer(await tempDir('brainsync-pg-restart-'));
});
afterAll(async () => {
  await server?.stop();
  await removeTemps();
});
afterEach(async () => {
  await server?.thaw();
  await killAllCli();
  // A failed test may leave the server stopped: the next one needs it.
  await server?.start();
});

/** A new database on the test's server, set up the way an operator would: init, sources add. */
async function initBrain(): Promise<TestBrain> {
  const url = await createDatabase(server, `brainsync_test_restart_${++databases}`);
  const brain = { target: resolveDbTarget({ flag: url, env: {} }), arg: url };
  for (const args of [['init'], ['sources', 'add', 'notes', corpus.dir]]) {
    const r = await runCli(args, { db: brain });
    expect(r.code, describeRun(r)).toBe(0);
  }
  return brain;
}

/** The run ended failed, said why and what to do, and printed its counts. */
function expectConnectionLost(r: CliResult): void {
  expectOrderlyExit(r);
  expect(r.code, describeRun(r)).toBe(1);
  const [result] = jsonOf(r).sources;
  expect(result, describeRun(r)).toMatchObject({ source: 'notes', status: 'failed', message: expect.stringMatching(connectionLostPattern) });
  expect(result.counts.planned).toBe(corpus.pages.size);
}

/**
 * Whatever lock the failed run left (released when the server was back in time, else a row
 * of a process that is gone), the next run breaks it and brings the brain to the tree.
 */
async function expectNextRunConverges(brain: TestBrain): Promise<void> {
  const next = await runCli(['--json', 'sync', '--source', 'notes', '--break-lock'], { db: brain });
  expect(next.code, describeRun(next)).toBe(0);
  const doc = jsonOf(next);
  expect(['no_lock', 'broken']).toContain(doc.locks?.[0]?.verdict);
  expect(doc.sources[0].status).toBe('synced');
  expect(await brainPages(brain, 'notes')).toEqual(corpus.pages);
  expect((await pgQuery(brain, 'select name from sync_locks')).rows).toEqual([]);
}

describe.runIf(needed)('the Postgres server goes away mid-import', () => {
  it('restarted (fast shutdown, then up again): the run ends failed with its result printed, and the next run converges', async () => {
    const brain = await initBrain();
    const run = await startCli(['--json', 'sync', '--source', 'notes', '--workers', '2'], { db: brain });
    await waitForPages(brain, 'notes', 300, { alive: run });
    await server.stop();
    await server.start();
    const r = await waitForExit(run, 60_000);

    expectConnectionLost(r);
    await expectNextRunConverges(brain);
  });

  it('stopped until the CLI has exited: no hang, no crash, the result is printed; once it is back the next run converges', async () => {
    const brain = await initBrain();
    const run = await startCli(['--json', 'sync', '--source', 'notes', '--workers', '2'], { db: brain });
    await waitForPages(brain, 'notes', 300, { alive: run });
    await server.stop();
    const r = await waitForExit(run, 60_000);

    expectConnectionLost(r);
    // Nothing could be written while the server was down: the lock stays until broken or expired.
    expect(r.stderr).toMatch(/could not release the lock .*it expires by itself/);

    await server.start();
    await expectNextRunConverges(brain);
  });
});

describe.runIf(needed)('the Postgres server stops answering mid-import (frozen, connections open)', () => {
  /**
   * The run ended with its result printed, though the database never answered again: stopped
   * for `reason` (75), or, when a statement of its own was cut off first, failed with the lost
   * connection (1). Its lock could not be released.
   */
  function expectStoppedAndReported(r: CliResult, reason: string): void {
    expectOrderlyExit(r);
    const [result] = jsonOf(r).sources;
    if (result.status === 'failed') {
      expect(result.message, describeRun(r)).toMatch(connectionLostPattern);
      expect(r.code).toBe(1);
    } else {
      expect(result, describeRun(r)).toMatchObject({ source: 'notes', status: 'partial', reason });
      expect(r.code).toBe(75);
    }
    expect(r.stderr).toMatch(/could not release the lock .*it expires by itself/);
  }

  it('--timeout still ends the run, which reports and exits; once the server is back the next run converges', async () => {
    const brain = await initBrain();
    const run = await startCli(['--json', 'sync', '--source', 'notes', '--workers', '2', '--timeout', '6s'], { db: brain });
    await waitForPages(brain, 'notes', 100, { alive: run });
    await server.freeze();
    // Without the cut after a cancel nobody answers, this waited until the server came back.
    const r = await waitForExit(run, 60_000);
    expectStoppedAndReported(r, 'timeout');
    await server.thaw();
    await expectNextRunConverges(brain);
  });

  it('SIGTERM still ends the run, which reports and exits', async () => {
    const brain = await initBrain();
    const run = await startCli(['--json', 'sync', '--source', 'notes', '--workers', '2'], { db: brain });
    await waitForPages(brain, 'notes', 100, { alive: run });
    await server.freeze();
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.child.kill('SIGTERM');
    const r = await waitForExit(run, 60_000);
    expectStoppedAndReported(r, 'signal');
    await server.thaw();
    await expectNextRunConverges(brain);
  });
});
