// Kept apart from sourceLock.ts (and its queries): the CLI checks --lock-ttl when it parses
// flags, for every command, and must not load a database module to do so.

export interface LockSettings {
  /** A lock whose heartbeat stopped this long ago is free for the next run. */
  ttlSeconds: number;
  /** How often the holder extends it: a fraction of the TTL. */
  heartbeatSeconds: number;
}

/** Killed holders free their source within a minute; see README "Locks". */
export const defaultLockTtlSeconds = 60;

/** The heartbeat is a sixth of the TTL: a holder misses several beats before it loses its lock. */
export function lockSettingsForTtl(ttlSeconds: number): LockSettings {
  return { ttlSeconds, heartbeatSeconds: Math.max(1, Math.floor(ttlSeconds / 6)) };
}
