import { describe, expect, it } from 'vitest';
import { resolveDbTarget } from '../../../src/db/target.js';

describe('resolveDbTarget', () => {
  it('prefers --db, then BRAINSYNC_DATABASE_URL, then DATABASE_URL, then the default directory', () => {
    const env = { BRAINSYNC_DATABASE_URL: 'postgres://a@h/b', DATABASE_URL: 'postgres://c@h/d', HOME: '/home/u' };
    expect(resolveDbTarget({ flag: '/tmp/x', env }).display).toBe('/tmp/x');
    expect(resolveDbTarget({ env }).display).toBe('postgres://a@h/b');
    expect(resolveDbTarget({ env: { DATABASE_URL: 'postgresql://c@h/d' } }).kind).toBe('postgres');
    expect(resolveDbTarget({ env: { HOME: '/home/u' } }).display).toBe('/home/u/.local/share/brainsync/brain');
    expect(resolveDbTarget({ env: { XDG_DATA_HOME: '/xdg', HOME: '/home/u' } }).display).toBe('/xdg/brainsync/brain');
    expect(resolveDbTarget({ env: { BRAINSYNC_HOME: '/bs', XDG_DATA_HOME: '/xdg' } }).display).toBe('/bs/brain');
  });
  it('remembers which setting placed a PGLite brain, for messages about an unusable directory', () => {
    const from = (flag: string | undefined, env: Record<string, string>) => {
      const t = resolveDbTarget({ flag, env });
      return t.kind === 'pglite' ? t.from : 'postgres';
    };
    expect(from('/tmp/x', { BRAINSYNC_HOME: '/bs' })).toBe('--db');
    expect(from(undefined, { BRAINSYNC_DATABASE_URL: '/dir', DATABASE_URL: '/other' })).toBe('BRAINSYNC_DATABASE_URL');
    expect(from(undefined, { DATABASE_URL: '/dir' })).toBe('DATABASE_URL');
    expect(from(undefined, { BRAINSYNC_HOME: '/bs', XDG_DATA_HOME: '/xdg' })).toBe('BRAINSYNC_HOME');
    expect(from(undefined, { XDG_DATA_HOME: '/xdg' })).toBe('XDG_DATA_HOME');
    expect(from(undefined, { HOME: '/home/u' })).toBe('HOME');
  });
  it('never shows a password', () => {
    expect(resolveDbTarget({ flag: 'postgres://user:s3cret@db:5432/brain', env: {} }).display).toBe('postgres://user:***@db:5432/brain');
    expect(resolveDbTarget({ flag: 'postgres://u:p%40ss@h/db', env: {} }).display).not.toContain('p%40ss');
  });
  it('refuses a URL whose password is not percent-encoded, saying how, without showing it', () => {
    for (const [flag, env] of [
      ['postgres://ro:Top/Secret99@127.0.0.1:55432/brain1', {}],
      [undefined, { BRAINSYNC_DATABASE_URL: 'postgres://ro:r0;p@ss/w#rd%@127.0.0.1:55432/brain1' }],
      ['postgresql://u:a?b@h/db', {}],
    ] as const) {
      let message = '';
      try {
        resolveDbTarget({ flag, env });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/is not a valid Postgres URL \(postgres(ql)?:\/\/(ro|u):\*\*\*@.*\)\. Percent-encode special characters .* \/ as %2F/);
      expect(message).not.toMatch(/Secret|ss\/w|a\?b/);
      expect(message).toMatch(flag ? /^--db / : /^BRAINSYNC_DATABASE_URL /);
    }
    // Encoded, and the forms without a password or with a socket directory, are fine.
    for (const url of ['postgres://ro:Top%2FSecret99@127.0.0.1:55432/brain1', 'postgres:///brain?host=/var/run/postgresql', 'postgresql://brain@db/x']) {
      expect(resolveDbTarget({ flag: url, env: {} }).kind).toBe('postgres');
    }
  });
});
