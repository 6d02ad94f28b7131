import type { Command } from 'commander';
import { contextFrom, withBrain } from '../context.js';
import { printJson } from '../output.js';

export function registerLocks(program: Command): void {
  program
    .command('locks')
    .description('list source locks: holder, age, seconds since heartbeat, whether the holder looks alive')
    .action(async (_opts, cmd: Command) => {
      const ctx = contextFrom(cmd);
      const { listLocks } = await import('../../db/locksQueries.js');
      const { holderState } = await import('../../locks/breakLock.js');
      const rows = await withBrain(ctx, listLocks, { readOnly: true });
      const out = rows.map((h) => ({
        source: h.name,
        host: h.host,
        pid: h.pid,
        command: h.command,
        runId: h.runId,
        acquiredAt: h.acquiredAt.toISOString(),
        ageSeconds: Math.round(h.ageSeconds),
        heartbeatAgeSeconds: Math.round(h.heartbeatAgeSeconds),
        expiresAt: h.expiresAt.toISOString(),
        state: holderState(h),
      }));
      if (ctx.json) return printJson(out);
      if (out.length === 0) return ctx.log.info('no locks held');
      for (const l of out) {
        ctx.log.info(
          `${l.source}: ${l.state} · pid ${l.pid} on ${l.host} · held ${l.ageSeconds}s · heartbeat ${l.heartbeatAgeSeconds}s ago · ${l.command}`,
        );
      }
    });
}
