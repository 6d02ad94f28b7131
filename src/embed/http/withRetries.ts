import { EmbedServerError } from './EmbedServerError.js';
import type { HttpSettings } from './httpSettings.js';
import { formatSeconds, NetworkFailure } from './sendRequest.js';

/** An answer worth asking again for (429, 5xx, 408, 409), with the wait the server asked for. */
export class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/**
 * Runs `attempt` until it succeeds, retrying RetryableFailure and NetworkFailure with
 * exponential backoff and full jitter (a random wait below the exponential bound, so workers
 * hit by one outage do not return in step), never waiting less than a `Retry-After` asked
 * (capped). The sleep is the settings' (injectable) and stops on the signal. Other errors,
 * the signal's reason included, pass through at once.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  s: HttpSettings,
  server: string,
  signal?: AbortSignal,
): Promise<T> {
  const started = performance.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RetryableFailure || err instanceof NetworkFailure)) throw err;
      if (n >= s.maxAttempts) throw givenUp(err, n, performance.now() - started, server);
      await s.sleep(retryDelayMs(n, err, s), signal);
    }
  }
}

/** The wait before retry number `n` (1 = the first retry). */
export function retryDelayMs(n: number, err: Error, s: HttpSettings): number {
  const bound = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** (n - 1));
  const backoff = Math.floor(s.random() * bound);
  const asked = err instanceof RetryableFailure ? err.retryAfterMs : null;
  return asked === null ? backoff : Math.max(backoff, Math.min(asked, s.maxRetryAfterMs));
}

function givenUp(err: RetryableFailure | NetworkFailure, attempts: number, ms: number, server: string): EmbedServerError {
  const timedOut = err instanceof NetworkFailure && err.message.startsWith('no complete answer');
  const advice = timedOut
    ? 'The server is too slow for the request timeout: give it more time or send smaller batches.'
    : 'Check that it is running and not overloaded.';
  return new EmbedServerError(
    `${server} failed ${attempts} times in ${formatSeconds(ms)}; the last answer: ${err.message}. ${advice} ` +
      'The chunks stay pending, so a later run embeds them.',
    { status: err instanceof RetryableFailure ? err.status : null, transient: true, cause: err },
  );
}
