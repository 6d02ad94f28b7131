import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpProvider } from '../../../../src/embed/http/createHttpProvider.js';
import { EmbedError } from '../../../../src/embed/EmbedError.js';
import { send, startFakeEmbeddingServer, type FakeEmbeddingServer } from '../../../helpers/fakeEmbeddingServer.js';

let server: FakeEmbeddingServer;
beforeAll(async () => {
  server = await startFakeEmbeddingServer({ dimensions: 4 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.respond = null;
});

/** Embedding requests are held without an answer; resolves `arrived` when the first is in. */
function hangEmbeddings() {
  let arrived!: () => void;
  const first = new Promise<void>((resolve) => (arrived = resolve));
  server.respond = (req) => {
    if (req.path !== '/v1/embeddings') return false;
    arrived();
    return true;
  };
  return first;
}

async function eventually(check: () => boolean, ms = 2_000): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const newProvider = (over = {}) => createHttpProvider({ url: server.url, model: 'fake-model', ...over });

describe('stopping http embedding', () => {
  it("aborts a request to a slow server at once and rejects with the signal's reason", async () => {
    const provider = await newProvider();
    const abandonedBefore = server.abandoned;
    const arrived = hangEmbeddings();
    const controller = new AbortController();
    const reason = new Error('time budget of 540s used up');
    const embedding = provider.embed(['slow one', 'slow two'], { signal: controller.signal });
    await arrived;
    const started = performance.now();
    controller.abort(reason);
    await expect(embedding).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(500);
    await eventually(() => server.abandoned > abandonedBefore);
  });

  it('cancels a backoff sleep when the signal aborts', async () => {
    const provider = await newProvider();
    let arrived!: () => void;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    server.respond = (req, res) => {
      if (req.path !== '/v1/embeddings') return false;
      send(res, 503, 'loading', { 'retry-after': '30' });
      arrived();
      return true;
    };
    const before = server.embeddingRequests().length;
    const controller = new AbortController();
    const embedding = provider.embed(['text'], { signal: controller.signal });
    await first;
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    controller.abort(new Error('SIGTERM'));
    await expect(embedding).rejects.toThrow('SIGTERM');
    expect(performance.now() - started).toBeLessThan(500);
    expect(server.embeddingRequests().length - before).toBe(1);
  });

  it('stops a call waiting for a request slot that another call holds', async () => {
    const provider = await newProvider({ concurrency: 1 });
    const arrived = hangEmbeddings();
    const holder = provider.embed(['holds the only slot']).catch((e: unknown) => e);
    await arrived;
    const controller = new AbortController();
    const waiting = provider.embed(['waits for it'], { signal: controller.signal });
    const before = server.embeddingRequests().length;
    const started = performance.now();
    controller.abort(new Error('budget spent'));
    await expect(waiting).rejects.toThrow('budget spent');
    expect(performance.now() - started).toBeLessThan(500);
    expect(server.embeddingRequests().length).toBe(before);
    await provider.close();
    expect(await holder).toBeInstanceOf(EmbedError);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const provider = await newProvider();
    const before = server.requests.length;
    const reason = new Error('already stopped');
    await expect(provider.embed(['text'], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(server.requests.length).toBe(before);
  });

  it("stops the factory's probe on its signal", async () => {
    const arrived = hangEmbeddings();
    const controller = new AbortController();
    const creating = newProvider({ signal: controller.signal });
    await arrived;
    controller.abort(new Error('stopped while starting'));
    await expect(creating).rejects.toThrow('stopped while starting');
  });

  it('retries a request that outlives its time limit, including a body that stalls after the headers', async () => {
    const provider = await newProvider({ requestTimeoutMs: 150, sleep: async () => {} });
    const before = server.embeddingRequests().length;
    let n = 0;
    server.respond = (req, res) => {
      if (req.path !== '/v1/embeddings') return false;
      n++;
      if (n === 1) return true; // no answer at all
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":[');
        return true; // headers and half a body, then nothing
      }
      return false;
    };
    const [v] = await provider.embed(['text']);
    expect(v).toHaveLength(4);
    expect(server.embeddingRequests().length - before).toBe(3);
  });

  it('stops the other requests when one fails for good, and rejects with that failure', async () => {
    const provider = await newProvider({ concurrency: 4, maxBatchInputs: 1 });
    const abandonedBefore = server.abandoned;
    server.respond = async (req, res) => {
      if (req.path !== '/v1/embeddings') return false;
      if (req.inputs![0] === 'bad') {
        await new Promise((r) => setTimeout(r, 30));
        send(res, 401, 'invalid key');
      }
      return true; // the others hang
    };
    const before = server.embeddingRequests().length;
    const started = performance.now();
    await expect(provider.embed(['a', 'b', 'bad', 'c', 'd', 'e', 'f'])).rejects.toThrow(/401 Unauthorized/);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.embeddingRequests().length - before).toBe(4);
    await eventually(() => server.abandoned >= abandonedBefore + 3);
  });

  it('close() aborts embedding in flight; a closed provider refuses new work', async () => {
    const provider = await newProvider();
    const arrived = hangEmbeddings();
    const embedding = provider.embed(['text']);
    await arrived;
    await provider.close();
    await expect(embedding).rejects.toThrow(/closed while embedding/);
    await expect(provider.embed(['text'])).rejects.toThrow(EmbedError);
    await expect(provider.embed(['text'])).rejects.toThrow(/was closed; create a new one/);
  });
});
