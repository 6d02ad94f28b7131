import { describe, expect, it } from 'vitest';
import { redactCredentials } from '../../src/redact.js';

describe('redactCredentials', () => {
  it.each([
    ['postgres://user:s3cret@db:5432/brain', 'postgres://user:***@db:5432/brain'],
    ['postgres://u:p@ss@h/db', 'postgres://u:***@h/db'],
    ['https://ghp_token@github.com/team/notes.git', 'https://***@github.com/team/notes.git'],
    ['https://me:token@github.com/x.git', 'https://me:***@github.com/x.git'],
    ['ssh://git@host/notes.git', 'ssh://git@host/notes.git'],
    ['postgres://brain@db/x', 'postgres://brain@db/x'],
    ['fatal: unable to access https://me:tok@h/x.git/: 403', 'fatal: unable to access https://me:***@h/x.git/: 403'],
    ['--db=postgres://a:b@h/d', '--db=postgres://a:***@h/d'],
    [`${'x'.repeat(100)}https://me:tok@h/x`, `${'x'.repeat(100)}https://me:***@h/x`],
    // Passwords not percent-encoded, with characters that end a URL's authority.
    ['postgres://ro:Top/Secret99@127.0.0.1:55432/brain1', 'postgres://ro:***@127.0.0.1:55432/brain1'],
    ['could not connect to Postgres at postgres://ro:r0;p@ss/w#rd%@127.0.0.1:55432/brain1: Invalid URL',
      'could not connect to Postgres at postgres://ro:***@127.0.0.1:55432/brain1: Invalid URL'],
    ['postgres://brain:hunter2/x@db.internal/brain and git@github.com', 'postgres://brain:***@db.internal/brain and git@github.com'],
    ['postgres://u:a?b#c@h/db', 'postgres://u:***@h/db'],
  ])('shows %s as %s', (input, shown) => {
    expect(redactCredentials(input)).toBe(shown);
  });

  it('reads a long argument in one pass', () => {
    // Each of these took seconds with an unbounded scheme (quadratic backtracking).
    const long = 'x'.repeat(200_000);
    expect(redactCredentials(long)).toBe(long);
    expect(redactCredentials(`${long}://`)).toBe(`${long}://`);
    expect(redactCredentials(`${long} https://a:b@h`)).toBe(`${long} https://a:***@h`);
    const schemes = 'a://b:'.repeat(40_000);
    expect(redactCredentials(schemes)).toBe(schemes);
  });
});
