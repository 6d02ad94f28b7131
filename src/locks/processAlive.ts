import { hostname } from 'node:os';

/** True when a process with this pid exists on this host (EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder that provably ended: its host is this one and its pid is gone (elsewhere, nothing is provable). */
export function endedOnThisHost(host: string, pid: number): boolean {
  return host === hostname() && !processAlive(pid);
}
