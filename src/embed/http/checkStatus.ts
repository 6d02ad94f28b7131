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
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    throw new RetryableFailure(`${answer}`, status, retryAfterMs(ex.headers.get('retry-after'), s.now()));
  }
  const fail = (message: string) => new EmbedServerError(`${server} ${message}`, { status });
  if (status >= 300 && status < 400) {
    const to = ex.headers.get('location');
    throw fail(`redirected ${what} (${answer}) to ${to ?? 'another URL'}: brainsync does not follow redirects; set the server URL to where it points. Not retried.`);
  }
  if (status === 401 || status === 403) {
    const key = s.apiKey === null ? 'no API key was sent: set one in the source\'s settings' : `check the API key${s.apiKeySource ? ` in ${s.apiKeySource}` : ''}`;
    throw fail(`refused the request (${answer}): ${key}. Not retried.`);
  }
  if (status === 404) {
    throw fail(
      `answered ${answer} to ${what}: check the model name and that the URL is an OpenAI-compatible server's (brainsync posts to ${s.embeddingsUrl}). Not retried.`,
    );
  }
  throw fail(`refused ${what} (${answer}); the same request would fail again, so it was not retried. Check the model name and the server's log.`);
}

/** The start of an error body, on one line, quoted: servers put the useful reason there. */
export function bodyExcerpt(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  return `: "${text.length > 300 ? `${text.slice(0, 300)}…` : text}"`;
}
