import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpProvider } from '../../../../src/embed/http/createHttpProvider.js';
import { approxTokens } from '../../../../src/embed/http/embedInBatches.js';
import { EmbedServerError } from '../../../../src/embed/http/EmbedServerError.js';
import type { HttpProviderOptions } from '../../../../src/embed/http/httpSettings.js';
import { fakeEmbedding, send, startFakeEmbeddingServer, type FakeEmbeddingServer } from '../../../helpers/fakeEmbeddingServer.js';

let server: FakeEmbeddingServer;
beforeAll(async () => {
  server = await startFakeEmbeddingServer({ dimensions: 8 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.respond = null;
  server.info = null;
});

const texts = (n: number, prefix = 'note') => Array.from({ length: n }, (_, i) => `${prefix} ${i} text`);

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => Math.fround(x / n));
}

/** Creates a provider, then returns the embedding requests `run` causes. */
async function requestsOf(over: Partial<HttpProviderOptions>, run: (p: Awaited<ReturnType<typeof createHttpProvider>>) => Promise<unknown>) {
  const provider = await createHttpProvider({ url: server.url, model: 'fake-model', sleep: async () => {}, ...over });
  const before = server.embeddingRequests().length;
  await run(provider);
  return server.embeddingRequests().slice(before);
}

/** Answers 413 to every embedding request that `tooLarge` says is over the limit. */
function rejectWith413(tooLarge: (inputs: string[]) => boolean) {
  server.respond = (req, res) => {
    if (req.path !== '/v1/embeddings' || !tooLarge(req.inputs!)) return false;
    send(res, 413, '{"error":"Input validation error","error_type":"Validation"}');
    return true;
  };
}

describe('batching http embedding requests', () => {
  it('sends 32 inputs per request by default and returns the vectors in input order', async () => {
    const input = texts(100);
    let vectors: Float32Array[] = [];
    const seen = await requestsOf({}, async (p) => (vectors = await p.embed(input)));
    expect(seen.map((r) => r.inputs!.length).sort((a, b) => a - b)).toEqual([4, 32, 32, 32]);
    expect(vectors.map((v) => Array.from(v))).toEqual(input.map((t) => unit(fakeEmbedding(t, 8))));
  });

  it("respects TEI's max_client_batch_size, and the smaller of it and maxBatchInputs", async () => {
    server.info = { model_id: 'm', max_client_batch_size: 5 };
    const seen = await requestsOf({}, (p) => p.embed(texts(23)));
    expect(Math.max(...seen.map((r) => r.inputs!.length))).toBe(5);
    const fewer = await requestsOf({ maxBatchInputs: 3 }, (p) => p.embed(texts(23)));
    expect(Math.max(...fewer.map((r) => r.inputs!.length))).toBe(3);
  });

  it("keeps a request's estimated tokens within TEI's max_batch_tokens, sending an input over it alone", async () => {
    server.info = { model_id: 'm', max_batch_tokens: 100 };
    const eighty = Array.from({ length: 10 }, (_, i) => `${i}`.padEnd(80, 'x'));
    expect(approxTokens(eighty[0])).toBe(22);
    const seen = await requestsOf({}, (p) => p.embed([...eighty, 'y'.repeat(1_000), 'z']));
    const sizes = seen.map((r) => r.inputs!.reduce((sum, t) => sum + approxTokens(t), 0));
    expect(seen.map((r) => r.inputs!.length)).toEqual([4, 4, 2, 1, 1]);
    expect(sizes.slice(0, 3).every((s) => s <= 100)).toBe(true);
  });

  it("cuts texts to about TEI's max_input_length (4 characters a token) when the settings give no limit", async () => {
    server.info = { model_id: 'm', max_input_length: 512 };
    let maxInputChars = 0;
    const seen = await requestsOf({}, async (p) => {
      maxInputChars = p.maxInputChars;
      await p.embed(['w '.repeat(5_000)]);
    });
    expect(maxInputChars).toBe(2_048);
    expect(seen[0].inputs![0]).toHaveLength(2_048);
  });

  it('halves a request refused with 413 until the server takes it, and starts later requests at the size that worked', async () => {
    rejectWith413((inputs) => inputs.length > 5);
    const input = texts(32);
    let vectors: Float32Array[] = [];
    const seen = await requestsOf({ concurrency: 1 }, async (p) => {
      vectors = await p.embed(input);
      expect(p.batchLimits.maxInputs).toBe(4);
    });
    expect(seen.map((r) => r.inputs!.length)).toEqual([32, 16, 8, 4, 4, 8, 4, 4, 16, 8, 4, 4, 8, 4, 4]);
    expect(vectors.map((v) => Array.from(v))).toEqual(input.map((t) => unit(fakeEmbedding(t, 8))));
    const later = await requestsOf({ concurrency: 1 }, async (p) => {
      await p.embed(input);
      await p.embed(input);
    });
    expect(later.map((r) => r.inputs!.length)).toEqual([32, 16, 8, 4, 4, 8, 4, 4, 16, 8, 4, 4, 8, 4, 4, ...Array(8).fill(4)]);
  });

  it('cuts the end of a single input refused with 413 until the server takes it, without lowering the batch size', async () => {
    rejectWith413((inputs) => inputs.some((t) => t.length > 100));
    const long = 'x'.repeat(300);
    let vectors: Float32Array[] = [];
    let maxInputs = 0;
    const seen = await requestsOf({ concurrency: 1 }, async (p) => {
      vectors = await p.embed(['short one', long, 'short two']);
      maxInputs = p.batchLimits.maxInputs;
    });
    expect(seen.map((r) => r.inputs!.map((t) => t.length))).toEqual([[9, 300, 9], [9, 300], [9], [300], [225], [168], [126], [94], [9]]);
    expect(Array.from(vectors[1])).toEqual(unit(fakeEmbedding('x'.repeat(94), 8)));
    expect(maxInputs).toBe(32);
  });

  it('fails clearly when the server refuses one input with 413 at any length', async () => {
    rejectWith413(() => true);
    const probe = await createHttpProvider({ url: server.url, model: 'fake-model' }).catch((e: unknown) => e);
    expect(probe).toBeInstanceOf(EmbedServerError);
    expect((probe as Error).message).toMatch(/refused a 15-character probe as too large \(it answered 413 Payload Too Large/);
    server.respond = null;
    const p = await createHttpProvider({ url: server.url, model: 'fake-model' });
    rejectWith413(() => true);
    const err = await p.embed(['y'.repeat(1_000)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedServerError);
    expect(err).toMatchObject({ status: 413, transient: false });
    expect((err as Error).message).toMatch(/refused one input as too large even cut to 99 of its 1000 characters.*--auto-truncate/);
  });

  it('keeps requests in flight within the concurrency, across embed calls, with results in input order', async () => {
    // Answers arrive out of order: each request waits a time that depends on its first text.
    server.respond = async (req) => {
      if (req.path === '/v1/embeddings') await new Promise((r) => setTimeout(r, 5 + (req.inputs![0].length * 7) % 20));
      return false;
    };
    server.maxInFlight = 0;
    const a = texts(200, 'first');
    const b = texts(50, 'second call');
    let results: Float32Array[][] = [];
    const seen = await requestsOf({ concurrency: 3, maxBatchInputs: 10 }, async (p) => {
      results = await Promise.all([p.embed(a), p.embed(b)]);
    });
    expect(seen).toHaveLength(25);
    expect(server.maxInFlight).toBe(3);
    expect(results[0].map((v) => Array.from(v))).toEqual(a.map((t) => unit(fakeEmbedding(t, 8))));
    expect(results[1].map((v) => Array.from(v))).toEqual(b.map((t) => unit(fakeEmbedding(t, 8))));
  });

  it('sends an empty text as one space, and never cuts a surrogate pair in half', async () => {
    const seen = await requestsOf({ maxInputChars: 5 }, (p) => p.embed(['', 'abcd🙂', 'abc🙂']));
    expect(seen[0].inputs).toEqual([' ', 'abcd', 'abc🙂']);
  });
});
