/**
 * The few ANSI styles the CLI's human output uses. Not chalk: a cron run (no terminal) never
 * colours anything, and the module graph every command loads before doing any work is what a
 * no-op sync mostly costs; these six styles need no library.
 */
export type Paint = (text: string) => string;

export interface Colour {
  /** 0: no colour (not a terminal, NO_COLOR); 1: basic ANSI colours. */
  readonly level: 0 | 1;
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

const styles = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

export function createColour(enabled: boolean): Colour {
  const paint = ([open, close]: readonly [number, number]): Paint => {
    if (!enabled) return (text) => text;
    const on = `\x1b[${open}m`;
    const off = `\x1b[${close}m`;
    // A nested style that closes with the same code would end this one early: reopen it after.
    return (text) => on + text.replaceAll(off, off + on) + off;
  };
  return {
    level: enabled ? 1 : 0,
    bold: paint(styles.bold), dim: paint(styles.dim), red: paint(styles.red),
    green: paint(styles.green), yellow: paint(styles.yellow), cyan: paint(styles.cyan),
  };
}
