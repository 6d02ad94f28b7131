import { readFileSync } from 'node:fs';

/**
 * When a process started, as the kernel counts it (`/proc/PID/stat`, field 22: clock ticks
 * since boot), or null where there is no /proc or the process is gone (a zombie, which has
 * exited and waits for its parent, counts as gone). A pid and its start time name one process
 * for good: a reused pid has a later start.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain anything.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
