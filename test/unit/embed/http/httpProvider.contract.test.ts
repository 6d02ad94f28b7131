import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpProvider } from '../../../../src/embed/http/createHttpProvider.js';
import { EmbedServerError } from '../../../../src/embed/http/EmbedServerError.js';
import { ConfigError } from '../../../../src/errors.js';
import { describeEmbeddingProviderContract } from '../../../helpers/embeddingProviderContract.js';
import { startFakeEmbeddingServer, type FakeEmbeddingServer } from '../../../helpers/fakeEmbeddingServer.js';

let server: FakeEmbeddingServer;
beforeAll(async () => {
  server = await startFakeEmbeddingServer({ dimensions: 32 });
});
afterAll(async () => {
  await server.close();
});

describeEmbeddingProviderContract('http', () => createHttpProvider({ url: `${server.url}/v1`, model: 'fake-model' }));

describe('creating an http provider', () => {
  it('learns the dimensions from a probe and sends model, input and encoding_format to /v1/embeddings', async () => {
    const provider = await createHttpProvider({ url: server.url, model: 'fake-model' });
    expect(provider.dimensions).toBe(32);
    const probe = server.embeddingRequests().at(-1)!;
    expect(probe.body).toMatchObject({ model: 'fake-model', encoding_format: 'float' });
    expect(probe.inputs).toHaveLength(1);
    expect(probe.headers.authorization).toBeUndefined();
  });

  it('accepts the URL with or without a trailing /v1 or slash', async () => {
    for (const suffix of ['', '/', '/v1', '/v1/']) {
      const provider = await createHttpProvider({ url: `${server.url}${suffix}`, model: 'fake-model' });
      expect(provider.url).toBe(server.url);
    }
    expect(server.requests.every((r) => r.path === '/info' || r.path === '/v1/embeddings')).toBe(true);
  });

  it('sends the API key as a bearer token', async () => {
    await createHttpProvider({ url: server.url, model: 'fake-model', apiKey: 'sk-test-123' });
    expect(server.embeddingRequests().at(-1)!.headers.authorization).toBe('Bearer sk-test-123');
  });

  it('refuses settings that cannot work before sending anything', async () => {
    const before = server.requests.length;
    await expect(createHttpProvider({ url: 'gpu-box:8080', model: 'm' })).rejects.toThrow(ConfigError);
    await expect(createHttpProvider({ url: 'ftp://gpu-box', model: 'm' })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(createHttpProvider({ url: 'http://u:secret@gpu-box', model: 'm' })).rejects.toThrow(/credentials/);
    await expect(createHttpProvider({ url: server.url, model: 'm', apiKey: 'key\n' })).rejects.toThrow(/API key/);
    await expect(createHttpProvider({ url: server.url, model: 'm', concurrency: 0 })).rejects.toThrow(/concurrency/);
    expect(server.requests.length).toBe(before);
  });

  it('checks given dimensions against the server, naming both', async () => {
    const err = await createHttpProvider({ url: server.url, model: 'fake-model', dimensions: 384 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedServerError);
    expect((err as Error).message).toMatch(/32 dimensions where 384 were expected/);
    expect((err as Error).message).toContain(server.url);
    expect((err as Error).message).toContain('"fake-model"');
  });

  it('fingerprints the model, not the URL, and includes what TEI reports about the weights', async () => {
    const other = await startFakeEmbeddingServer({ dimensions: 32 });
    try {
      const a = await createHttpProvider({ url: server.url, model: 'fake-model' });
      const b = await createHttpProvider({ url: `${other.url}/v1`, model: 'fake-model' });
      expect(b.fingerprint).toBe(a.fingerprint);
      expect((await createHttpProvider({ url: server.url, model: 'other-model' })).fingerprint).not.toBe(a.fingerprint);
      other.info = { model_id: 'BAAI/bge-small-en-v1.5', model_sha: 'abc123' };
      const tei = await createHttpProvider({ url: other.url, model: 'fake-model' });
      expect(tei.serverInfo).toMatchObject({ modelId: 'BAAI/bge-small-en-v1.5', modelSha: 'abc123' });
      expect(tei.fingerprint).not.toBe(a.fingerprint);
      other.info = { model_id: 'BAAI/bge-small-en-v1.5', model_sha: 'def456' };
      expect((await createHttpProvider({ url: other.url, model: 'fake-model' })).fingerprint).not.toBe(tei.fingerprint);
    } finally {
      await other.close();
    }
  });
});
