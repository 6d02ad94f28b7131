import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf, runCli, type CliResult } from '../helpers/cli.js';
import { createRepo } from '../helpers/gitRepo.js';
import { brainWithSource, processBrain, removeTemps } from './fixtures.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** stdout is exactly one line holding one JSON document (so `>> log` makes JSON Lines). */
function oneLine(r: CliResult): Record<string, unknown> {
  expect(r.stdout.endsWith('\n'), describeRun(r)).toBe(true);
  expect(r.stdout.slice(0, -1), describeRun(r)).not.toContain('\n');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** A wave's document says when it ran (start ≤ finish, within the run) and which brainsync wrote it. */
function expectStamped(doc: Record<string, unknown>, r: CliResult, spawnedAt: number): void {
  expect(doc.version).toBe(version);
  expect(doc.startedAt).toMatch(isoTime);
  expect(doc.finishedAt).toMatch(isoTime);
  const started = Date.parse(doc.startedAt as string);
  const finished = Date.parse(doc.finishedAt as string);
  expect(started).toBeGreaterThanOrEqual(spawnedAt - 1000);
  expect(finished).toBeGreaterThanOrEqual(started);
  expect(finished).toBeLessThanOrEqual(spawnedAt + r.ms + 1000);
}

describe('--json', () => {
  afterAll(removeTemps);

  it('still prints one JSON document on stdout when a command fails, with the exit code and the error', async () => {
    const brain = await processBrain('pglite');
    const missing = await runCli(['--json', 'sync', '--source', 'nope'], { db: brain });
    expect(missing.code, describeRun(missing)).toBe(2);
    expect(jsonOf(missing)).toEqual({
      exitCode: 2,
      startedAt: expect.stringMatching(isoTime),
      finishedAt: expect.stringMatching(isoTime),
      version,
      error: { code: 'not_found', message: expect.stringMatching(/no source named "nope".*sources list/) },
    });
    const usage = await runCli(['sync', '--all', '--timeout', '0', '--json'], { db: brain });
    expect(usage.code, describeRun(usage)).toBe(2);
    expect(jsonOf(usage)).toMatchObject({ exitCode: 2, error: { code: 'usage', message: expect.stringContaining('--timeout "0"') } });
  });

  it('appended to a log wave after wave is JSON Lines: one compact document per line, with its times and version', async () => {
    const repo = await createRepo();
    await repo.write('a.md', '# A\n\nText.\n');
    await repo.commit('first');
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    const log: string[] = [];
    for (const args of [['sync', '--all'], ['sync', '--all'], ['sync', '--source', 'nope']]) {
      const spawnedAt = Date.now();
      const r = await runCli(['--json', ...args], { db: brain });
      const doc = oneLine(r);
      expectStamped(doc, r, spawnedAt);
      log.push(r.stdout);
    }
    // What `>> /var/log/brainsync.json` holds after three waves: each line parses on its own.
    const lines = log.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as { exitCode: number; sources?: { status: string }[] });
    expect(lines.map((l) => l.exitCode)).toEqual([0, 0, 2]);
    expect(lines[0].sources?.[0].status).toBe('synced');
    expect(lines[1].sources?.[0].status).toBe('up_to_date');
    await repo.cleanup();
  });

  it('prints every other command\'s document compactly on one line too', async () => {
    const repo = await createRepo();
    await repo.write('a.md', '# A\n\nText.\n');
    await repo.commit('first');
    const brain = await brainWithSource('pglite', 'notes', repo.dir);
    for (const args of [['sources', 'list'], ['sources', 'show', 'notes'], ['locks']]) {
      const r = await runCli(['--json', ...args], { db: brain });
      expect(r.code, describeRun(r)).toBe(0);
      oneLine(r);
    }
    await repo.cleanup();
  });
});
