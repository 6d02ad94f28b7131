import { Chalk, type ChalkInstance } from 'chalk';
import { colourWanted } from './config.js';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
  readonly colour: ChalkInstance;
}

/** Human output goes to stderr; stdout is kept for machine output (--json). */
export function createLogger(opts: { quiet: boolean; debug: boolean }): Logger {
  const colour = new Chalk({ level: colourWanted(process.stderr) ? 1 : 0 });
  const write = (line: string) => process.stderr.write(line + '\n');
  return {
    colour,
    info: (msg) => void (opts.quiet || write(msg)),
    warn: (msg) => write(colour.yellow('warning: ') + msg),
    error: (msg) => write(colour.red('error: ') + msg),
    debug: (msg) => void (opts.debug && write(colour.dim(msg))),
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
