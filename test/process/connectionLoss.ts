import { expect } from 'vitest';
import { describeRun, jsonOf, type CliResult } from '../helpers/cli.js';

/** What Node prints when it dies of an unhandled 'error' event or exception; brainsync must never print it. */
export const crashPattern = /Unhandled 'error' event|node:events|node:internal|^\s+at .*:\d+:\d+\)?$/m;

/** A run's message names the lost connection, says the work is kept, and what to do. */
export const connectionLostPattern = /lost the connection to the database during .+Everything committed so far is kept.+Check/;

/** No crash: an exit code of brainsync's own, one --json document that agrees with it, no Node stack. */
export function expectOrderlyExit(r: CliResult): void {
  expect(r.signal, describeRun(r)).toBeNull();
  expect([1, 75], describeRun(r)).toContain(r.code);
  expect(r.stderr, describeRun(r)).not.toMatch(crashPattern);
  expect(jsonOf(r).exitCode, describeRun(r)).toBe(r.code);
}
