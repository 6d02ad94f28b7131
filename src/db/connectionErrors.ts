import { BrainsyncError, errorMessage } from '../errors.js';

/**
 * SQLSTATEs that mean the session is gone or could not be had, not that a statement was wrong:
 * class 08 (connection exception), the shutdown family of class 57 (admin shutdown, crash
 * shutdown, cannot connect now, idle-session timeout) and the idle-in-transaction timeout.
 */
const sessionGoneStates = new Set(['57P01', '57P02', '57P03', '57P05', '25P03']);

/** Socket errors of a connection that broke or could not be made. */
const socketCodes = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
]);

/**
 * What pg says, without a code, when the socket ends ("Connection terminated unexpectedly",
 * "… due to connection timeout"), when a client is used after it broke, and when the pool
 * gives up connecting.
 */
const driverMessages = [/^Connection terminated/, /connection error and is not queryable/, /^timeout exceeded when trying to connect/];

/**
 * True when an error means the database connection was lost or could not be made (server
 * shut down, restarted or crashed, backend terminated, network gone), as opposed to an error
 * in a statement or in the data. A run that gets one stops: retrying the same file would fail
 * the same way, and blaming the file would record a failure it did not cause.
 */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConnectionLostError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('08') || sessionGoneStates.has(code) || socketCodes.has(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && driverMessages.some((re) => re.test(message))) return true;
  }
  return false;
}

/** A run stopped because its database connection was lost; what it committed is kept. */
export class ConnectionLostError extends BrainsyncError {
  override readonly code = 'connection_lost';
  constructor(during: string, cause: unknown) {
    super(
      `lost the connection to the database during ${during}: ${errorMessage(cause).replace(/\.$/, '')}. ` +
        'Everything committed so far is kept; the next run continues from there. Check that the database server is up.',
      { cause },
    );
  }
}
