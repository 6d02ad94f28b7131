import { EmbedServerError } from './EmbedServerError.js';
import type { HttpSettings } from './httpSettings.js';
import { retryAfterMs } from './retryAfterMs.js';
import type { HttpExchange } from './sendRequest.js';
import { RetryableFailure } from './withRetries.js';

/** 413: the request (too many inputs, or one input too long) is over a server limit. */
export class TooLargeFailure extends Error {}

/**
 * Turns a non-2xx answer into what the caller should do: RetryableFailure (408, 409, 429,
 * 5xx), TooLargeFailure (413: split or shorten), or an EmbedServerError that a retry would
 * not cure (a bad key, an unknown model or path, a redirect, any other 4xx).
 */
export function checkStatus(ex: HttpExchange, s: HttpSettings, server: string, what: string): void {
  const { status } = ex;
  if (status >= 200 && status < 300) return;
  const answer = `${status} ${ex.statusText || ''}`.trim() + bodyExcerpt(ex.body);
  if (status === 413) throw new TooLargeFailure(`answered ${answer}`);
  if (isRetryableStatus(status)) {
    throw new RetryableFailure(`${answer}`, status, retryAfterMs(ex.headers.get('retry-after'), s.now()));
  }
  const fail = (message: string) => new EmbedServerError(`${server} ${message} Not retried.`, { status });
  if (status >= 300 && status < 400) {
    const to = ex.headers.get('location') ?? 'another URL';
    throw fail(`redirected ${what} (${answer}) to ${to}: brainsync does not follow redirects; use the URL it points to.`);
  }
  if (status === 401 || status === 403) {
    const from = s.apiKeySource ? ` in ${s.apiKeySource}` : '';
    const key = s.apiKey === null ? "no API key was sent: set one in the source's settings" : `check the API key${from}`;
    throw fail(`refused the request (${answer}): ${key}.`);
  }
  if (status === 404) {
    throw fail(
      `answered ${what} with ${answer}: check the model name, and that the URL is an OpenAI-compatible ` +
        `server's (brainsync posts to ${s.embeddingsUrl}).`,
    );
  }
  throw fail(`refused ${what} (${answer}): the same request would fail again. Check the model name and the server's log.`);
}

/** Timeouts, conflicts, rate limits and server errors: the same request may work later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The start of an error body, on one line, quoted: servers put the useful reason there. */
export function bodyExcerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  return `: "${text.length > 300 ? `${text.slice(0, 300)}…` : text}"`;
}
