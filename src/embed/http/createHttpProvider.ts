import { createHash } from 'node:crypto';
import { TooLargeFailure } from './checkStatus.js';
import { EmbeddingsClient, type ServerInfo } from './EmbeddingsClient.js';
import { EmbedServerError } from './EmbedServerError.js';
import { HttpProvider } from './HttpProvider.js';
import { httpDefaults, resolveHttpSettings, type HttpProviderOptions } from './httpSettings.js';

/** Bump when what is done to texts or vectors on this side changes (cutting, the empty text, normalising). */
const algorithm = 'openai-embeddings/v1';
/** Characters per token assumed when TEI publishes its input limit in tokens (see approxTokens). */
const charsPerToken = 4;
const probeText = 'brainsync probe';

/**
 * Asks the server what it serves before the embed phase stores anything: TEI's `/info` (model
 * id and revision, batch and input limits; other servers have none, which is fine) and one
 * embedding of a tiny text, which proves the URL, key and model and gives the dimensions when
 * the settings do not (or checks them when they do). Failures are EmbedServerErrors (their
 * `transient` says whether to try later) or ConfigErrors for settings that cannot work.
 *
 * The fingerprint covers what decides the vectors and nothing about where they come from:
 * the model name, the dimensions, the input cut, and TEI's model id and sha when published.
 * Moving the server to another host keeps the fingerprint; a new model revision changes it.
 */
export async function createHttpProvider(opts: HttpProviderOptions): Promise<HttpProvider> {
  const settings = resolveHttpSettings(opts);
  const client = new EmbeddingsClient(settings);
  const info = await client.info(opts.signal);
  const maxInputChars = settings.maxInputChars ?? defaultInputChars(info);
  const dimensions = await probeDimensions(client, settings.dimensions, opts.signal);
  const facts = {
    algorithm,
    model: settings.model,
    dimensions,
    maxInputChars,
    serverModelId: info?.modelId ?? null,
    serverModelSha: info?.modelSha ?? null,
  };
  return new HttpProvider(client, {
    dimensions,
    fingerprint: createHash('sha256').update(JSON.stringify(facts)).digest('hex'),
    maxInputChars,
    limits: {
      maxInputs: Math.min(settings.maxBatchInputs, info?.maxClientBatchSize ?? Infinity),
      maxTokens: info?.maxBatchTokens ?? null,
    },
    info,
  });
}

/** The length of the server's vector for a tiny text (checked against `expected` when given). */
async function probeDimensions(client: EmbeddingsClient, expected: number | null, signal?: AbortSignal): Promise<number> {
  try {
    const [vector] = await client.embed([probeText], expected, signal);
    return vector.length;
  } catch (err) {
    if (!(err instanceof TooLargeFailure)) throw err;
    const what = `a ${probeText.length}-character probe`;
    const message = `${client.server} refused ${what} as too large (it ${err.message}): check the server's limits.`;
    throw new EmbedServerError(message, { status: 413 });
  }
}

/**
 * A server that refuses inputs over its token limit (TEI without --auto-truncate) would
 * answer 413 to most long chunks; cutting near its limit first saves those round trips.
 */
function defaultInputChars(info: ServerInfo | null): number {
  const published = info?.maxInputLength;
  return published ? Math.min(httpDefaults.maxInputChars, published * charsPerToken) : httpDefaults.maxInputChars;
}
