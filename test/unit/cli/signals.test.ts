import { describe, expect, it } from 'vitest';
import { signalExitCode } from '../../../src/cli/signals.js';

describe('signalExitCode', () => {
  it('is 128 + the signal number, as a shell reports it: SIGHUP 129, SIGINT 130, SIGTERM 143', () => {
    expect(signalExitCode('SIGHUP')).toBe(129);
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
  });
});
