import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { branchNameProblem } from '../../../src/git/assertSafeArg.js';

const run = promisify(execFile);

/** Whether git itself accepts the name (`git check-ref-format --branch`, outside any repository). */
async function gitAccepts(name: string): Promise<boolean> {
  try {
    await run('git', ['check-ref-format', '--branch', name], { cwd: '/' });
    return true;
  } catch {
    return false;
  }
}

describe('branchNameProblem', () => {
  const names = [
    'main', 'team/notes', 'release-1.2', 'a.b', 'x@y', '-x', '--upload-pack=touch /tmp/x', 'main..x', 'a b', 'a:b',
    'a*', 'a?', 'a[b', 'a\\b', 'a~1', 'a^', 'a/', 'a.', '.a', 'a/.b', 'a.lock', 'a.lock/b', 'a//b', 'x@{1}',
  ];
  // ("@" is left out: --branch reads it as HEAD's shorthand; brainsync refuses it as a name.)
  it.each(names)('agrees with git check-ref-format --branch on %j', async (name) => {
    expect(branchNameProblem(name) === null).toBe(await gitAccepts(name));
  });
});
