import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryError } from '../../src/directoryError.js';
import { ConfigError, FileSystemError } from '../../src/errors.js';

function errno(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}

describe('directoryError', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('a file where a directory belongs is a bad setting (exit 2) naming the file and what to change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'brainsync-direrr-'));
    dirs.push(dir);
    const file = join(dir, 'home');
    await writeFile(file, 'x');
    for (const code of ['ENOTDIR', 'EEXIST']) {
      const err = await directoryError(errno(code, join(file, 'brain')), join(file, 'brain'), 'the brain directory', 'pass --db DIR');
      expect(err).toBeInstanceOf(ConfigError);
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toBe(`the brain directory ${join(file, 'brain')} cannot be used: ${file} is a file, not a directory. Pass --db DIR.`);
    }
  });

  it('missing permissions are the machine\'s state (exit 1): which directory, and what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'brainsync-direrr-'));
    dirs.push(dir);
    const made = await directoryError(errno('EACCES', join(dir, 'new')), join(dir, 'new', 'deeper'), 'the mirror', 'set BRAINSYNC_HOME');
    expect(made).toBeInstanceOf(FileSystemError);
    expect(made?.exitCode).toBe(1);
    expect(made?.message).toBe(
      `the mirror ${join(dir, 'new', 'deeper')} cannot be created: ${dir} is not writable by this user (EACCES on ${join(dir, 'new')}). ` +
        'Make it writable by the user that runs brainsync; or set BRAINSYNC_HOME.',
    );
    const existing = await directoryError(errno('EROFS', dir), dir, 'the brain', 'move it');
    expect(existing?.message).toMatch(new RegExp(`^the brain ${dir} is on a read-only file system \\(EROFS on ${dir}\\)`));
  });

  it('leaves other errors alone', async () => {
    expect(await directoryError(errno('ENOSPC', '/x'), '/x', 'the brain', 'move it')).toBeNull();
    expect(await directoryError(new Error('boom'), '/x', 'the brain', 'move it')).toBeNull();
  });
});
