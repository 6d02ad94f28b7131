import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpProvider } from '../../../../src/embed/http/createHttpProvider.js';
import { EmbedServerError } from '../../../../src/embed/http/EmbedServerError.js';
import { ConfigError } from '../../../../src/errors.js';
import type { HttpProviderOptions } from '../../../../src/embed/http/httpSettings.js';
import {
  fakeEmbedding,
  send,
  startFakeEmbeddingServer,
  type FakeEmbeddingServer,
  type Responder,
} from '../../../helpers/fakeEmbeddingServer.js';

let server: FakeEmbeddingServer;
beforeAll(async () => {
  server = await startFakeEmbeddingServer({ dimensions: 8 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.respond = null;
});

/** A provider whose backoff sleeps are recorded instead of slept. */
async function providerRecordingWaits(over: Partial<HttpProviderOptions> = {}) {
  const waits: number[] = [];
  const provider = await createHttpProvider({
    url: server.url,
    model: 'fake-model',
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...over,
  });
  return { provider, waits };
}

/** Answers the next `times` embedding requests with `status`, then behaves. */
function failing(times: number, status: number, body = 'try again', headers: Record<string, string> = {}): Responder {
  let left = times;
  return (req, res) => {
    if (req.path !== '/v1/embeddings' || left-- <= 0) return false;
    send(res, status, body, headers);
    return true;
  };
}

const embeddingCount = () => server.embeddingRequests().length;

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => Math.fround(x / n));
}

describe('retrying an embeddings server', () => {
  it('waits at least what Retry-After asks (in seconds) before asking again', async () => {
    const { provider, waits } = await providerRecordingWaits({ random: () => 0 });
    const before = embeddingCount();
    server.respond = failing(2, 429, 'rate limited', { 'retry-after': '7' });
    const [v] = await provider.embed(['hello world']);
    expect(Array.from(v)).toEqual(unit(fakeEmbedding('hello world', 8)));
    expect(embeddingCount() - before).toBe(3);
    expect(waits).toEqual([7000, 7000]);
  });

  it('reads Retry-After as an HTTP date, measured against the clock', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const { provider, waits } = await providerRecordingWaits({ random: () => 0, now: () => now });
    server.respond = failing(1, 503, 'loading', { 'retry-after': new Date(now + 12_000).toUTCString() });
    await provider.embed(['hello']);
    expect(waits).toEqual([12_000]);
  });

  it('caps what Retry-After can impose, and never waits less than its own backoff', async () => {
    const { provider, waits } = await providerRecordingWaits({ random: () => 0.999, maxRetryAfterMs: 5_000 });
    server.respond = failing(1, 429, 'quota', { 'retry-after': '3600' });
    await provider.embed(['hello']);
    server.respond = failing(1, 429, 'quota', { 'retry-after': '0' });
    await provider.embed(['hello']);
    expect(waits).toEqual([5_000, 499]);
  });

  it('backs off exponentially with full jitter, up to maxDelayMs', async () => {
    const { provider, waits } = await providerRecordingWaits({ random: () => 0.5, baseDelayMs: 100, maxDelayMs: 500 });
    server.respond = failing(5, 500, 'internal error');
    await provider.embed(['hello']);
    expect(waits).toEqual([50, 100, 200, 250, 250]);
  });

  it('retries a 500, then returns the vectors', async () => {
    const { provider } = await providerRecordingWaits();
    const before = embeddingCount();
    server.respond = failing(1, 500, '<html>Internal Server Error</html>');
    const vectors = await provider.embed(['a b', 'c d']);
    expect(vectors.map((v) => Array.from(v))).toEqual([unit(fakeEmbedding('a b', 8)), unit(fakeEmbedding('c d', 8))]);
    expect(embeddingCount() - before).toBe(2);
  });

  it.each([408, 409, 502, 503, 504])('retries a %i', async (status) => {
    const { provider, waits } = await providerRecordingWaits();
    server.respond = failing(1, status);
    await provider.embed(['hello']);
    expect(waits).toHaveLength(1);
  });

  it('retries a connection the server drops without answering', async () => {
    const { provider, waits } = await providerRecordingWaits();
    let dropped = 0;
    server.respond = (req, res) => {
      if (req.path !== '/v1/embeddings' || dropped++ > 0) return false;
      res.socket?.destroy();
      return true;
    };
    await provider.embed(['hello']);
    expect(dropped).toBe(2);
    expect(waits).toHaveLength(1);
  });

  it('gives up after maxAttempts, saying what the server answered and what to do', async () => {
    const { provider, waits } = await providerRecordingWaits({ maxAttempts: 6 });
    const before = embeddingCount();
    server.respond = failing(100, 503, '{"error":"Model is loading"}');
    const err = await provider.embed(['hello']).catch((e: unknown) => e);
    expect(embeddingCount() - before).toBe(6);
    expect(waits).toHaveLength(5);
    expect(err).toBeInstanceOf(EmbedServerError);
    expect(err).toMatchObject({ status: 503, transient: true });
    const message = (err as Error).message;
    expect(message).toContain(`the embeddings server at ${server.url} (model "fake-model") failed 6 times`);
    expect(message).toContain('503 Service Unavailable: "{"error":"Model is loading"}"');
    expect(message).toMatch(/running and not overloaded.*stay pending/);
  });

  it('does not retry a 401, and says which key to check', async () => {
    const { provider, waits } = await providerRecordingWaits({ apiKey: 'sk-wrong', apiKeySource: 'BRAINSYNC_EMBED_KEY' });
    const before = embeddingCount();
    server.respond = failing(1, 401, '{"error":"invalid api key"}');
    const err = await provider.embed(['hello']).catch((e: unknown) => e);
    expect(embeddingCount() - before).toBe(1);
    expect(waits).toEqual([]);
    expect(err).toMatchObject({ status: 401, transient: false });
    expect((err as Error).message).toMatch(/refused the request \(401 Unauthorized: "\{"error":"invalid api key"\}"\): check the API key in BRAINSYNC_EMBED_KEY/);
    expect((err as Error).message).not.toContain('sk-wrong');
  });

  it('says so when a 401 came because no key was sent', async () => {
    const { provider } = await providerRecordingWaits();
    server.respond = failing(1, 403, 'forbidden');
    await expect(provider.embed(['hello'])).rejects.toThrow(/no API key was sent/);
  });

  it('does not retry a 404, and names the model and the URL it posted to', async () => {
    const { provider, waits } = await providerRecordingWaits();
    server.respond = failing(1, 404, '{"error":"model \\"fake-model\\" not found, try pulling it first"}');
    const err = await provider.embed(['hello']).catch((e: unknown) => e);
    expect(waits).toEqual([]);
    expect((err as Error).message).toContain('not found, try pulling it first');
    expect((err as Error).message).toContain(`check the model name, and that the URL is an OpenAI-compatible server's (brainsync posts to ${server.url}/v1/embeddings)`);
  });

  it.each([400, 422])('does not retry a %i', async (status) => {
    const { provider, waits } = await providerRecordingWaits();
    server.respond = failing(1, status, 'Input validation error');
    await expect(provider.embed(['hello'])).rejects.toThrow(/Input validation error.*Not retried/);
    expect(waits).toEqual([]);
  });

  it("retries TEI's /info like any request, so a passing failure cannot change the fingerprint", async () => {
    server.info = { model_id: 'BAAI/bge-small-en-v1.5', model_sha: 'abc' };
    try {
      const steady = await createHttpProvider({ url: server.url, model: 'fake-model' });
      let failures = 0;
      server.respond = (req, res) => {
        if (req.path !== '/info' || failures++ > 1) return false;
        send(res, 502, 'Bad Gateway');
        return true;
      };
      const { provider, waits } = await providerRecordingWaits();
      expect(waits).toHaveLength(2);
      expect(provider.serverInfo?.modelSha).toBe('abc');
      expect(provider.fingerprint).toBe(steady.fingerprint);
    } finally {
      server.info = null;
    }
  });

  it('fails clearly when nothing listens, after retrying', async () => {
    const port = await closedPort();
    const err = await createHttpProvider({ url: `http://127.0.0.1:${port}`, model: 'm', maxAttempts: 3, sleep: async () => {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ transient: true });
    expect((err as Error).message).toMatch(/failed 3 times.*ECONNREFUSED.*is the server running/);
  });

  it('refuses at once a port that fetch will never connect to', async () => {
    const started = performance.now();
    const err = await createHttpProvider({ url: 'http://127.0.0.1:6000', model: 'm', sleep: async () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/refuses to connect to port 6000/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

/** A port that was free a moment ago, with nothing listening on it now. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
