import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpProvider } from '../../../../src/embed/http/createHttpProvider.js';
import { EmbedServerError } from '../../../../src/embed/http/EmbedServerError.js';
import type { HttpProvider } from '../../../../src/embed/http/HttpProvider.js';
import {
  embeddingsBody,
  fakeEmbedding,
  send,
  sendJson,
  startFakeEmbeddingServer,
  type FakeEmbeddingServer,
} from '../../../helpers/fakeEmbeddingServer.js';

let server: FakeEmbeddingServer;
let provider: HttpProvider;
beforeAll(async () => {
  server = await startFakeEmbeddingServer({ dimensions: 4 });
  provider = await createHttpProvider({ url: server.url, model: 'fake-model', sleep: async () => {} });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.respond = null;
});

/** Every embedding request gets `body` (a string, or the normal answer rewritten by a function). */
function answer(body: string | ((inputs: string[]) => unknown)) {
  server.respond = (req, res) => {
    if (req.path !== '/v1/embeddings') return false;
    if (typeof body === 'string') send(res, 200, body, { 'content-type': 'application/json' });
    else sendJson(res, 200, body(req.inputs!));
    return true;
  };
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => Math.fround(x / n));
}

describe('reading an embeddings answer', () => {
  it('places vectors by index when the server answers out of order', async () => {
    answer((inputs) => {
      const body = embeddingsBody(inputs, 4);
      body.data.reverse();
      return body;
    });
    const input = ['alpha beta', 'gamma', 'delta epsilon zeta'];
    const vectors = await provider.embed(input);
    expect(vectors.map((v) => Array.from(v))).toEqual(input.map((t) => unit(fakeEmbedding(t, 4))));
  });

  it('normalises vectors the server did not normalise', async () => {
    answer((inputs) => ({ data: inputs.map((_, index) => ({ index, embedding: [3, 0, 4, 0] })) }));
    expect(Array.from((await provider.embed(['x']))[0])).toEqual([0.6, 0, 0.8, 0].map(Math.fround));
  });

  const malformed: Array<[string, string | ((inputs: string[]) => unknown), RegExp]> = [
    ['a body that is not JSON', '<html><body>Welcome to nginx!</body></html>', /the body is not JSON: "<html><body>Welcome to nginx!/],
    ['an error inside a 200', '{"error":{"message":"out of memory"}}', /no "data" list: "\{"error":\{"message":"out of memory"\}\}"/],
    ['JSON null', 'null', /no "data" list/],
    ['fewer vectors than inputs', (i) => ({ data: embeddingsBody(i, 4).data.slice(1) }), /1 embeddings came back for 2 inputs/],
    ['a missing index', (i) => ({ data: i.map(() => ({ embedding: [1, 0, 0, 0] })) }), /"index" is undefined, not a position from 0 to 1/],
    ['an index out of range', (i) => ({ data: i.map((_, k) => ({ index: k + 1, embedding: [1, 0, 0, 0] })) }), /"index" is 2/],
    ['an index given twice', (i) => ({ data: i.map(() => ({ index: 0, embedding: [1, 0, 0, 0] })) }), /index 0 appears twice/],
    ['an embedding that is a string', (i) => ({ data: i.map((_, index) => ({ index, embedding: 'AAAA' })) }), /"embedding" of index 0 is not a list of numbers/],
    ['a null component', (i) => ({ data: i.map((_, index) => ({ index, embedding: [1, null, 0, 0] })) }), /vector of index 0 holds null, not a finite number/],
    ['bare NaN (not JSON)', '{"data":[{"index":0,"embedding":[NaN,1,0,0]},{"index":1,"embedding":[1,0,0,0]}]}', /not JSON \(it holds NaN or Infinity/],
    ['a number too large for a double', '{"data":[{"index":0,"embedding":[1e999,1,0,0]},{"index":1,"embedding":[1,0,0,0]}]}', /holds Infinity, not a finite number/],
    ['an all-zero vector', (i) => ({ data: i.map((_, index) => ({ index, embedding: [0, 0, 0, 0] })) }), /is all zeros/],
  ];

  it.each(malformed)('fails on %s, clearly and without retrying', async (_label, body, expected) => {
    answer(body);
    const before = server.embeddingRequests().length;
    const err = await provider.embed(['one', 'two']).catch((e: unknown) => e);
    expect(server.embeddingRequests().length - before).toBe(1);
    expect(err).toBeInstanceOf(EmbedServerError);
    expect(err).toMatchObject({ transient: false });
    const message = (err as Error).message;
    expect(message).toMatch(expected);
    expect(message).toContain(`the embeddings server at ${server.url} (model "fake-model") sent an answer brainsync cannot read`);
    expect(message).toContain('OpenAI-compatible /v1/embeddings server');
  });

  it('fails on a vector of the wrong length, naming both lengths, the server and the model', async () => {
    answer((inputs) => ({ data: inputs.map((_, index) => ({ index, embedding: index === 1 ? [1, 2, 3] : [1, 2, 3, 4] })) }));
    const err = await provider.embed(['one', 'two']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedServerError);
    expect((err as Error).message).toMatch(
      /^the embeddings server at http:\/\/127\.0\.0\.1:\d+ \(model "fake-model"\) returned a vector of 3 dimensions where 4 were expected/,
    );
  });

  it('does not follow a redirect (a POST would become a GET, and the key would travel)', async () => {
    server.respond = (req, res) => {
      if (req.path !== '/v1/embeddings') return false;
      send(res, 301, '', { location: 'https://elsewhere.example/v1/embeddings' });
      return true;
    };
    await expect(provider.embed(['one'])).rejects.toThrow(/redirected POST \/v1\/embeddings \(301 Moved Permanently\) to https:\/\/elsewhere\.example/);
  });
});
