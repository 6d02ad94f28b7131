import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DbTarget } from '../db/target.js';

/**
 * Where a brain's status manifest lives.
 *
 * PGLite: `<brain>.status.json`, a sibling of the brain directory, like its lock file
 * (`<brain>.lock`). Not inside the directory: that is PGLite's Postgres data directory, which
 * brainsync does not own (initdb wants it empty, and Postgres tools treat what is there as
 * theirs); the parent must be writable anyway for the lock file.
 *
 * Postgres: `$BRAINSYNC_HOME/status/<key>.json`, the key a hash of host, port and database
 * name — never the user or password, so every role and every spelling of one database's URL
 * shares one file. Each host keeps its own: it shows the changes made from this host, and
 * the state of every other source as of this host's last write.
 */
export function manifestPath(target: DbTarget, home: string): string {
  if (target.kind === 'pglite') return `${target.dir}.status.json`;
  return join(home, 'status', `${postgresKey(target.url)}.json`);
}

/** Hash of postgresIdentity: the name of a Postgres brain's manifest file. */
export function postgresKey(url: string): string {
  return createHash('sha256').update(postgresIdentity(url)).digest('hex').slice(0, 16);
}

/**
 * Which database a postgres:// URL names, as `host:port/database` (libpq defaults for what it
 * leaves out; a Unix socket's directory as the host). User, password, scheme spelling and
 * other query parameters are not part of it: they change who connects and how, not which
 * brain. Works on a URL with its password redacted, as manifests store it.
 */
export function postgresIdentity(url: string): string {
  let host = 'localhost';
  let port = '5432';
  let database = '';
  try {
    const u = new URL(url);
    // A Unix socket is given as ?host=/var/run/postgresql (or an encoded path as the host).
    host = decodeURIComponent(u.searchParams.get('host') ?? u.hostname) || 'localhost';
    port = u.searchParams.get('port') ?? (u.port || '5432');
    database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || '';
  } catch {
    database = url.replace(/:[^:@/]*@/, '@');
  }
  return `${host.toLowerCase()}:${port}/${database}`;
}

/**
 * PGLite only: present while a process may be changing the brain in ways its manifest does not
 * show yet (created before the change, removed once a manifest rebuilt from the database is in
 * place). The no-op fast path never believes a manifest while it exists.
 */
export function changeMarkerPath(brainDir: string): string {
  return `${brainDir}.status.changing`;
}

/** PGLite only: the no-op runs answered from the manifest (noopChecks.ts). */
export function noopChecksPath(brainDir: string): string {
  return `${brainDir}.status.noop.json`;
}
