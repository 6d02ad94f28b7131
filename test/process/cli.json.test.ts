import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf, runCli } from '../helpers/cli.js';
import { processBrain, removeTemps } from './fixtures.js';

describe('--json when a command fails', () => {
  afterAll(removeTemps);

  it('still prints one JSON document on stdout, with the exit code and the error', async () => {
    const brain = await processBrain('pglite');
    const missing = await runCli(['--json', 'sync', '--source', 'nope'], { db: brain });
    expect(missing.code, describeRun(missing)).toBe(2);
    expect(jsonOf(missing)).toEqual({
      exitCode: 2,
      error: { code: 'not_found', message: expect.stringMatching(/no source named "nope".*sources list/) },
    });
    const usage = await runCli(['sync', '--all', '--timeout', '0', '--json'], { db: brain });
    expect(usage.code, describeRun(usage)).toBe(2);
    expect(jsonOf(usage)).toMatchObject({ exitCode: 2, error: { code: 'usage', message: expect.stringContaining('--timeout "0"') } });
  });
});
