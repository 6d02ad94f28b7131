import { createColour, type Colour } from './colour.js';
import { colourWanted } from './config.js';
import { version } from './version.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
  readonly colour: Colour;
}

/** Human output goes to stderr; stdout is kept for machine output (--json). */
export function createLogger(opts: { quiet: boolean; debug: boolean }): Logger {
  const colour = createColour(colourWanted(process.stderr));
  const write = (line: string) => process.stderr.write(line + '\n');
  return {
    colour,
    info: (msg) => void (opts.quiet || write(msg)),
    warn: (msg) => write(colour.yellow('warning: ') + msg),
    error: (msg) => write(colour.red('error: ') + msg),
    debug: (msg) => void (opts.debug && write(colour.dim(msg))),
  };
}

/**
 * One compact document on one line: cron appends `--json` output to a log with `>>`, and a
 * log of one-line documents is JSON Lines, readable line by line.
 */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export interface WaveStamp {
  /** When this process (the wave) started, ISO 8601. */
  startedAt: string;
  finishedAt: string;
  /** The brainsync that wrote the document. */
  version: string;
}

/** Dates a wave's document, so that each line of a cron log says when it ran and what ran it. */
export function waveStamp(): WaveStamp {
  // performance.timeOrigin is the process's start: a wave is one process.
  return { startedAt: new Date(performance.timeOrigin).toISOString(), finishedAt: new Date().toISOString(), version };
}

let closedOutputTolerated = false;

/**
 * A reader that stops early (`brainsync pages list --json | head -1`) closes our stdout: a
 * normal way to stop reading, not a failure. Writes to a closed stdout or stderr are dropped
 * (node would otherwise crash on the unhandled EPIPE) and the command ends with its own exit code.
 */
export function tolerateClosedOutput(): void {
  if (closedOutputTolerated) return;
  closedOutputTolerated = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}
