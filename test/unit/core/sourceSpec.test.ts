import { describe, expect, it } from 'vitest';
import { validateBranchName } from '../../../src/core/sourceSpec.js';
import { ConfigError } from '../../../src/errors.js';

describe('validateBranchName', () => {
  it.each(['main', 'team/notes', 'release-1.2', 'feature_x', 'v2.0/rc'])('accepts %j', (name) => {
    expect(validateBranchName(name)).toBe(name);
  });

  it.each([
    ['--upload-pack=touch /tmp/pwned', 'it starts with "-"'],
    ['-x', 'it starts with "-"'],
    ['main..x', 'it contains ".."'],
    ['a b', 'it contains a space'],
    ['refs:heads', 'it contains ":"'],
    ['wild*', 'it contains "*"'],
    ['team/.hidden', 'a part of it starts with "."'],
    ['main.lock', 'a part of it ends with ".lock"'],
    ['x@{1}', 'it contains "@{"'],
    ['', 'it is empty'],
  ])('refuses %j as a usage error that says what a branch name is', (name, problem) => {
    let err: unknown;
    try {
      validateBranchName(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    const message = (err as Error).message;
    expect(message).toContain(`--branch ${JSON.stringify(name)} is not a valid branch name: ${problem}`);
    expect(message).toMatch(/git check-ref-format --branch/);
    expect(message).toMatch(/for example "main"/);
  });
});
