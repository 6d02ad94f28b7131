import { ExitCode, NotFoundError } from '../../errors.js';
import type { Manifest } from '../../status/manifest.js';
import { manifestPath, noopChecksPath } from '../../status/manifestPath.js';
import { prometheusText } from '../../status/prometheus.js';
import { readManifest } from '../../status/readManifest.js';
import { markStale, sourceStatuses } from '../../status/sourceStatus.js';
import { homeFromEnv } from '../config.js';
import { mirrorsDir, withBrain, type CliContext } from '../context.js';
import { printJson, waveStamp } from '../output.js';
import { version } from '../version.js';
import type { StatusFlags } from './status.js';
import { formatDuration, pullBlockedNotices, statusTable } from './statusFormat.js';

/**
 * `brainsync status`: the manifest when it is there and describes this brain (no database
 * module is loaded on that path, so it answers while a sync holds a PGLite brain); otherwise,
 * or with --live, the same document built by a live query.
 */
export async function runStatus(ctx: CliContext, flags: StatusFlags): Promise<number> {
  const path = manifestPath(ctx.target, homeFromEnv());
  let manifest: Manifest | null = null;
  if (!flags.live) {
    const read = await readManifest(ctx.target, path, { believeWhileHeld: true });
    if (read.ok) manifest = read.manifest;
    else ctx.log.warn(`${read.why}; querying the database instead.`);
  }
  const from = manifest ? 'manifest' : 'live';
  manifest ??= await liveManifest(ctx);
  const now = new Date();
  const missing = flags.sources.filter((n) => !manifest.sources.some((s) => s.name === n));
  if (missing.length > 0) {
    throw new NotFoundError(
      `no source named ${missing.map((n) => `"${n}"`).join(', ')} in ${from === 'manifest' ? `the status manifest of ${ctx.target.display}` : ctx.target.display}. ` +
        `\`brainsync sources list\` shows the sources it has${from === 'manifest' ? ' (or try status --live)' : ''}.`,
    );
  }
  const sources = sourceStatuses(manifest, now, flags.sources);
  const stale = flags.maxStalenessSeconds !== undefined ? markStale(sources, flags.maxStalenessSeconds) : [];
  const code = stale.length > 0 ? ExitCode.failed : ExitCode.ok;
  const dataAgeSeconds = from === 'live' ? 0 : Math.max(0, (now.getTime() - Date.parse(manifest.writtenAt)) / 1000);
  if (flags.format === 'prometheus') {
    // Labelled with the brain as this command names it: a Postgres manifest may have been
    // written through another user's URL, and a label that followed the writer would split series.
    process.stdout.write(prometheusText(ctx.target.display, sources, dataAgeSeconds));
  } else if (ctx.json) {
    const { version: writtenBy, writtenAt, writer, brain } = manifest;
    printJson({
      exitCode: code, ...waveStamp(), from,
      manifest: from === 'manifest' ? { path, writtenAt, version: writtenBy, writer } : null,
      brain, sources,
      ...(flags.maxStalenessSeconds !== undefined ? { maxStalenessSeconds: flags.maxStalenessSeconds, stale: stale.map((s) => s.name) } : {}),
    });
  } else {
    ctx.log.info(ctx.log.colour.dim(from === 'manifest'
      ? `${ctx.target.display} · from the status manifest written ${formatDuration(dataAgeSeconds)} ago by brainsync ${manifest.version}`
      : `${ctx.target.display} · live from the database`));
    for (const line of statusTable(sources, ctx.log.colour)) ctx.log.info(line);
    for (const line of pullBlockedNotices(sources)) ctx.log.warn(line);
  }
  for (const s of stale) {
    const age = s.stalenessSeconds === null ? 'has never synced successfully'
      : s.pullBlockedAgeSeconds != null && s.pullBlockedAgeSeconds >= (s.lastSuccessAgeSeconds ?? 0)
        ? `its branch has not been pulled for ${formatDuration(s.stalenessSeconds)} (${s.pullBlockedBy === 'diverged' ? 'diverged from its upstream' : 'local changes in the way'}), so nothing pushed since was synced`
        : `last synced successfully ${formatDuration(s.stalenessSeconds)} ago`;
    ctx.log.error(`${s.name} is stale: ${age} (--max-staleness ${formatDuration(flags.maxStalenessSeconds!)})`);
  }
  return code;
}

/** The manifest a writer would write now, from the database (nothing is written). */
async function liveManifest(ctx: CliContext): Promise<Manifest> {
  const [{ buildManifest }, { CommitsBehind }, { readSystemIdentifier }, { readNoopChecks }, { readDataStamp }] = await Promise.all([
    import('../../status/buildManifest.js'), import('../../status/commitsBehind.js'), import('../../db/statusQueries.js'),
    import('../../status/noopChecks.js'), import('../../status/dataStamp.js'),
  ]);
  return withBrain(ctx, async (db) => {
    const systemIdentifier = await readSystemIdentifier(db);
    // No-op syncs answered from the manifest are not in the database (status/noopChecks.ts).
    const noopChecks = ctx.target.kind === 'pglite' ? await readNoopChecks(noopChecksPath(ctx.target.dir), systemIdentifier) : [];
    return buildManifest(db, {
      version, target: { kind: ctx.target.kind, display: ctx.target.display },
      systemIdentifier,
      dataStamp: ctx.target.kind === 'pglite' ? await readDataStamp(ctx.target.dir) : null,
      behind: new CommitsBehind(mirrorsDir(ctx)), noopChecks,
    });
  }, { vector: false, readOnly: true });
}
