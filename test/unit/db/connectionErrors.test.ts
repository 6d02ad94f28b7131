import { describe, expect, it } from 'vitest';
import { RunStopped } from '../../../src/core/abort.js';
import { ConnectionLostError, isConnectionError } from '../../../src/db/connectionErrors.js';

/** An error shaped like the ones pg and node:net raise. */
function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('isConnectionError', () => {
  it.each([
    ['a backend terminated by an administrator (57P01)', failure('terminating connection due to administrator command', '57P01')],
    ['a crash shutdown (57P02)', failure('terminating connection because of crash of another server process', '57P02')],
    ['a server starting up or shutting down (57P03)', failure('the database system is shutting down', '57P03')],
    ['an idle-session timeout (57P05)', failure('terminating connection due to idle-session timeout', '57P05')],
    ['an idle-in-transaction timeout (25P03)', failure('terminating connection due to idle-in-transaction timeout', '25P03')],
    ['a class 08 connection exception', failure('connection failure', '08006')],
    ['a reset socket', failure('read ECONNRESET', 'ECONNRESET')],
    ['a refused connection', failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a broken pipe', failure('write EPIPE', 'EPIPE')],
    ["pg's unexpected end of the socket", failure('Connection terminated unexpectedly')],
    ['a client used after its connection broke', failure('Client has encountered a connection error and is not queryable')],
    ["the pool's connect timeout", failure('timeout exceeded when trying to connect')],
    ['one wrapped as the cause of another error', new Error('could not write', { cause: failure('read ECONNRESET', 'ECONNRESET') })],
    ['a run already stopped by one', new ConnectionLostError('the import', failure('Connection terminated unexpectedly'))],
  ])('is true for %s', (_, err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([
    ['a unique violation', failure('duplicate key value violates unique constraint', '23505')],
    ['invalid input', failure('invalid input syntax for type json', '22P02')],
    ['a statement cancelled on purpose (57014)', failure('canceling statement due to user request', '57014')],
    ['a syntax error', failure('syntax error at or near "selec"', '42601')],
    ['a run stopped by its budget', new RunStopped('timeout', 'time budget of 10s used up')],
    ['a file that does not exist', failure('ENOENT: no such file or directory', 'ENOENT')],
    ['no error at all', undefined],
    ['a string', 'Connection terminated unexpectedly?'],
  ])('is false for %s', (_, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});

describe('ConnectionLostError', () => {
  it('says where the run was, what the driver said, that the work is kept and what to do', () => {
    const err = new ConnectionLostError('import (300 of 4,000 files)', failure('terminating connection due to administrator command', '57P01'));
    expect(err.message).toBe(
      'lost the connection to the database during import (300 of 4,000 files): terminating connection due to administrator command. ' +
        'Everything committed so far is kept; the next run continues from there. Check that the database server is up.',
    );
    expect(err.code).toBe('connection_lost');
    expect(err.exitCode).toBe(1);
  });
});
