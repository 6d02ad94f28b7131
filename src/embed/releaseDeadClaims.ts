import { hostname } from 'node:os';
import type { Db } from '../db/Db.js';
import { claimHolders, releaseClaims } from '../db/embedQueries.js';
import { endedOnThisHost } from '../locks/processAlive.js';

/** A worker's name: `host:pid:…` (see embedSource's callers). */
export function workerName(suffix: string): string {
  return `${hostname()}:${process.pid}:${suffix}`;
}

/**
 * Gives back the claims of workers that are provably gone, so a run after a kill -9 does not
 * wait for their expiry: on an exclusive brain (PGLite) every other holder is gone; elsewhere,
 * a holder on this host whose pid is dead. Claims of live or remote workers are left to expire.
 */
export async function releaseDeadClaims(db: Db, sourceId: number): Promise<number> {
  let released = 0;
  for (const worker of await claimHolders(db, sourceId)) {
    const [host, pid] = worker.split(':');
    const ours = host === hostname() && Number(pid) === process.pid;
    const gone = db.capabilities.exclusive ? !ours : endedOnThisHost(host, Number(pid));
    if (!gone) continue;
    await releaseClaims(db, sourceId, worker);
    released++;
  }
  return released;
}
