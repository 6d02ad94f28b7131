import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake server received. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The `input` list of a POST /v1/embeddings; null for other requests. */
  inputs: string[] | null;
  body: Record<string, unknown> | null;
  /** performance.now() when the request's body had arrived. */
  at: number;
}

/**
 * Decides the answer to one request: write to `res` and return true, or return false/undefined
 * for the default behaviour. `n` counts the requests of the same method and path (1-based).
 */
export type Responder = (req: SeenRequest, res: ServerResponse, n: number) => boolean | void | Promise<boolean | void>;

export interface FakeEmbeddingServer {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: SeenRequest[];
  /** The POSTs to /v1/embeddings, in arrival order. */
  embeddingRequests(): SeenRequest[];
  /** Most requests handled at once. */
  maxInFlight: number;
  /** Requests whose client went away before the answer was complete. */
  abandoned: number;
  respond: Responder | null;
  /** What GET /info answers (TEI); null answers 404 like other servers. */
  info: Record<string, unknown> | null;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  dimensions?: number;
  info?: Record<string, unknown> | null;
  respond?: Responder;
}

/**
 * A real HTTP server on loopback that speaks OpenAI's `/v1/embeddings`, with deterministic
 * fake vectors (a hashed bag of words, not normalised, so the client's normalising is tested)
 * and a hook to misbehave per request.
 */
export async function startFakeEmbeddingServer(opts: FakeServerOptions = {}): Promise<FakeEmbeddingServer> {
  const dimensions = opts.dimensions ?? 16;
  const counts = new Map<string, number>();
  let inFlight = 0;
  const state: FakeEmbeddingServer = {
    url: '',
    requests: [],
    embeddingRequests: () => state.requests.filter((r) => r.method === 'POST' && r.path === '/v1/embeddings'),
    maxInFlight: 0,
    abandoned: 0,
    respond: opts.respond ?? null,
    info: opts.info ?? null,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => {
      inFlight--;
      if (!res.writableFinished) state.abandoned++;
    });
    void handle(req, res).catch((err: unknown) => {
      // A client that went away mid-request leaves nothing to answer.
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    const path = (req.url ?? '/').split('?')[0];
    const inputs = Array.isArray(body?.input) ? (body.input as string[]) : null;
    const seen: SeenRequest = { method: req.method ?? '', path, headers: req.headers, inputs, body, at: performance.now() };
    state.requests.push(seen);
    const key = `${seen.method} ${path}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (state.respond && (await state.respond(seen, res, n))) return;
    if (key === 'GET /info') {
      if (state.info) sendJson(res, 200, state.info);
      else sendJson(res, 404, { error: 'Not Found' });
    } else if (key === 'POST /v1/embeddings' && inputs) {
      sendJson(res, 200, embeddingsBody(inputs, dimensions));
    } else {
      sendJson(res, 404, { error: `no route ${key}` });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** The answer an OpenAI-compatible server gives for `inputs`, in input order. */
export function embeddingsBody(inputs: string[], dimensions: number) {
  return {
    object: 'list',
    model: 'fake',
    data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, dimensions) })),
    usage: { prompt_tokens: 0, total_tokens: 0 },
  };
}

/** A hashed bag of words, plus a constant component so that no text gets the zero vector. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  v[0] = 0.5;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193) >>> 0;
    v[h % dimensions] += (h >>> 16) & 1 ? 3 : -3;
  }
  return v;
}

export function sendJson(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(doc), { 'content-type': 'application/json', ...headers });
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}
