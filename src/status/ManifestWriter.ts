import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finishStatementMs, withStatementTimeout, type Db } from '../db/Db.js';
import { readSystemIdentifier } from '../db/statusQueries.js';
import { writeFileAtomic } from '../writeFileAtomic.js';
import { errorMessage } from '../errors.js';
import { buildManifest } from './buildManifest.js';
import { clearChangeMarker } from './changeMarker.js';
import { CommitsBehind } from './commitsBehind.js';
import { newDataStamp, writeDataStamp } from './dataStamp.js';
import { noopChecksPath } from './manifestPath.js';
import { readNoopChecks } from './noopChecks.js';
import { pgliteSystemIdentifier } from './readManifest.js';
import type { Manifest } from './manifest.js';

export interface ManifestWriterOptions {
  /** manifestPath(target, home). */
  path: string;
  /** The brainsync writing it. */
  version: string;
  target: { kind: 'pglite' | 'postgres'; display: string };
  /** Where clone-URL sources are mirrored (to count commits behind); omitted: unknown for them. */
  reposDir?: string;
  /** Told once per writer when a rewrite fails; a failed rewrite never fails a run. */
  onWarning?: (message: string) => void;
}

/** Every process that changes a brain's state on Postgres serialises its manifest rewrites on this key. */
export const manifestLockKey = 0x62736d66;

/**
 * Rewrites the status manifest from the database's own state. Write protocol: called after
 * the change it reports has committed; reads the state and renames the new file into place
 * under an advisory lock (Postgres), so of two processes the later writer reads the other's
 * committed change and no update is lost; the file is replaced atomically (temp + fsync +
 * rename + fsync of the directory), so a reader sees the old or the new file, never a mix.
 *
 * Within a process, rewrites never overlap: a request while one is under way makes one more
 * afterwards (however many arrive), which then reads everything committed meanwhile.
 */
export class ManifestWriter {
  private running: Promise<void> | null = null;
  private again = false;
  private everRequested = false;
  private warned = false;
  private systemIdentifier: string | null | undefined;
  private readonly behind: CommitsBehind;

  constructor(
    private readonly db: Db,
    private readonly opts: ManifestWriterOptions,
  ) {
    this.behind = new CommitsBehind(opts.reposDir);
  }

  get path(): string {
    return this.opts.path;
  }

  /** True once a rewrite was asked for. */
  get requested(): boolean {
    return this.everRequested;
  }

  /** Asks for a rewrite (returns at once). */
  request(): void {
    this.everRequested = true;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Waits until every rewrite asked for so far has finished. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** A rewrite now; resolves when it is on disk (or has failed with a warning). */
  async write(): Promise<void> {
    this.request();
    await this.flush();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.writeOnce();
    } while (this.again);
    this.running = null;
  }

  private async writeOnce(): Promise<void> {
    try {
      // Outside the transaction: on a server that refuses it, the failed statement would abort it.
      if (this.systemIdentifier === undefined) {
        // A PGLite brain's identifier is read from its pg_control, as readers check it (no query).
        const t = this.opts.target;
        this.systemIdentifier = t.kind === 'pglite'
          ? await pgliteSystemIdentifier(t.display)
          : await readSystemIdentifier(withStatementTimeout(this.db, finishStatementMs));
      }
      await mkdir(dirname(this.opts.path), { recursive: true });
      if (!this.db.capabilities.advisoryLocks) {
        // PGLite: this process is the only one with the brain open. A new token in the
        // directory first, then the manifest that names it: a crash in between leaves a pair
        // that differs, which readers do not believe (dataStamp.ts).
        const stamp = newDataStamp();
        await writeDataStamp(this.opts.target.display, stamp);
        await this.save(await this.build(this.db, stamp));
      } else {
        // Bounded: a server that stopped answering must not keep a finished wave from reporting.
        await this.db.transaction(async (tx) => {
          await tx.query('select pg_advisory_xact_lock($1)', [manifestLockKey]);
          await this.save(await this.build(tx, null));
        }, { signal: AbortSignal.timeout(finishStatementMs) });
      }
      // The manifest now in place shows everything committed before it was read, and a run that
      // changes pages after that shows its lock first (the rewrite is awaited): the marker that
      // invalidated the previous manifest (changeMarker.ts) can go.
      if (this.opts.target.kind === 'pglite') await clearChangeMarker(this.opts.target.display);
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      this.opts.onWarning?.(
        `could not write the status manifest ${this.opts.path} (${errorMessage(err)}); the run is not affected, and \`brainsync status\` queries the database instead until a later write succeeds`,
      );
    }
  }

  private async build(db: Parameters<typeof buildManifest>[0], dataStamp: string | null): Promise<Manifest> {
    const t = this.opts.target;
    const systemIdentifier = this.systemIdentifier ?? null;
    const noopChecks = t.kind === 'pglite' ? await readNoopChecks(noopChecksPath(t.display), systemIdentifier) : [];
    return buildManifest(db, { version: this.opts.version, target: t, systemIdentifier, dataStamp, behind: this.behind, noopChecks });
  }

  private async save(m: Manifest): Promise<void> {
    await writeFileAtomic(this.opts.path, [Buffer.from(JSON.stringify(m, null, 2) + '\n')]);
  }
}
