import { ConfigError } from '../../errors.js';

/** What came back from one HTTP exchange, the whole body read. */
export interface HttpExchange {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The request reached no answer: refused, reset, cut mid-body, or over its time limit.
 * Always worth retrying; `message` says what happened, in words.
 */
export class NetworkFailure extends Error {}

/**
 * One request with Node's fetch, its body read inside the same time limit (a server that
 * sends headers and then stalls is as slow as one that never answers). The caller's signal
 * aborts the socket at once and the promise rejects with the signal's reason; the time limit
 * rejects with a NetworkFailure.
 */
export async function sendRequest(req: HttpRequest, timeoutMs: number, signal?: AbortSignal): Promise<HttpExchange> {
  signal?.throwIfAborted();
  // One controller per request, listeners removed afterwards: AbortSignal.any on a long-lived
  // run signal would keep a reference per request for the signal's whole life.
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: controller.signal,
      // Never follow: a 301/302 turns a POST into a GET, and the key would go to another host.
      redirect: 'manual',
    });
    const body = await res.text();
    return { status: res.status, statusText: res.statusText, headers: res.headers, body };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) throw new NetworkFailure(`no complete answer within ${formatSeconds(timeoutMs)}`, { cause: err });
    if ((err as { cause?: Error })?.cause?.message === 'bad port') {
      // The Fetch standard refuses some ports outright (6000, 6665–6669, 10080, …): no retry helps.
      const url = new URL(req.url);
      throw new ConfigError(
        `embedding server ${url.origin}: fetch refuses to connect to port ${url.port} (one of the Fetch ` +
          "standard's blocked ports); serve the embeddings on another port",
      );
    }
    throw new NetworkFailure(describeNetworkError(err), { cause: err });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, "other side closed") is in the cause. */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  const detail = cause instanceof Error ? cause : err instanceof Error ? err : null;
  if (!detail) return String(err);
  const code = (detail as { code?: unknown }).code;
  const hint = code === 'ECONNREFUSED' ? ' (connection refused: is the server running and listening on that port?)' : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${detail.message}${hint}`;
}

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
