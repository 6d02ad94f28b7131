import { describe, expect, it } from 'vitest';
import { gitFailure } from '../../../src/git/GitError.js';

describe('gitFailure', () => {
  it('quotes git\'s fatal line and hides credentials', () => {
    const err = gitFailure(['fetch', 'https://me:tok@h/x.git'], 128, null, 'Cloning into x\nfatal: unable to access https://me:tok@h/x.git/: 403\n');
    expect(err.message).toBe('git fetch failed (exit 128): fatal: unable to access https://me:***@h/x.git/: 403');
  });

  it('says what to do about a repository another user owns', () => {
    const stderr = "fatal: detected dubious ownership in repository at '/srv/notes'\n" +
      'To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /srv/notes\n';
    const err = gitFailure(['rev-parse', '--git-dir'], 128, null, stderr);
    expect(err.message).toMatch(/^git rev-parse failed \(exit 128\): fatal: detected dubious ownership in repository at '\/srv\/notes'\. /);
    expect(err.message).toContain('run `git config --global --add safe.directory /srv/notes` as the user brainsync runs as');
  });
});
