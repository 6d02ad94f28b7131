import { checkStatus, isRetryableStatus } from './checkStatus.js';
import { describeServer, type HttpSettings } from './httpSettings.js';
import { parseEmbeddings } from './parseEmbeddings.js';
import { RequestSlots } from './RequestSlots.js';
import { sendRequest, type HttpRequest } from './sendRequest.js';
import { withRetries } from './withRetries.js';

/** What TEI's `GET /info` publishes that matters here; null where the server said nothing. */
export interface ServerInfo {
  modelId: string | null;
  modelSha: string | null;
  maxClientBatchSize: number | null;
  maxBatchTokens: number | null;
  /** In tokens. */
  maxInputLength: number | null;
}

/**
 * The protocol, one request at a time: POST `/v1/embeddings` and TEI's `GET /info`, each
 * with retries. Requests of all callers share `concurrency` slots (RequestSlots); a
 * slot covers the exchange only, not backoff sleeps, so a waiting retry holds no slot.
 */
export class EmbeddingsClient {
  readonly server: string;
  private readonly slots: RequestSlots;
  private readonly headers: Record<string, string>;

  constructor(readonly settings: HttpSettings) {
    this.server = describeServer(settings);
    this.slots = new RequestSlots(settings.concurrency);
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (settings.apiKey !== null) this.headers.authorization = `Bearer ${settings.apiKey}`;
  }

  /** Vectors for `inputs` (already cut and non-empty), unit length, in input order. */
  async embed(inputs: string[], dimensions: number | null, signal?: AbortSignal): Promise<Float32Array[]> {
    const s = this.settings;
    const req: HttpRequest = {
      method: 'POST',
      url: s.embeddingsUrl,
      headers: this.headers,
      body: JSON.stringify({ model: s.model, input: inputs, encoding_format: 'float' }),
    };
    const ex = await withRetries(() => this.exchange(req, 'POST /v1/embeddings', signal), s, this.server, signal);
    return parseEmbeddings(ex.body, inputs.length, dimensions, this.server);
  }

  /**
   * TEI's model facts and limits. Other servers answer 404 (or something that is not TEI's
   * JSON): that is "nothing published", not an error. Transient failures are retried like
   * any request, so the answer (and the fingerprint built from it) does not depend on luck.
   */
  async info(signal?: AbortSignal): Promise<ServerInfo | null> {
    const req: HttpRequest = { method: 'GET', url: `${this.settings.root}/info`, headers: this.headers };
    const ex = await withRetries(
      async () => {
        const answer = await this.slots.run(() => sendRequest(req, this.settings.requestTimeoutMs, signal), signal);
        // Only retryable statuses throw here; a 404 or 401 means "no /info", not a failure.
        if (isRetryableStatus(answer.status)) checkStatus(answer, this.settings, this.server, 'GET /info');
        return answer;
      },
      this.settings,
      this.server,
      signal,
    );
    return ex.status === 200 ? readInfo(ex.body) : null;
  }

  private async exchange(req: HttpRequest, what: string, signal?: AbortSignal) {
    const ex = await this.slots.run(() => sendRequest(req, this.settings.requestTimeoutMs, signal), signal);
    checkStatus(ex, this.settings, this.server, what);
    return ex;
  }
}

function readInfo(body: string): ServerInfo | null {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
  return {
    modelId: text(doc.model_id),
    modelSha: text(doc.model_sha),
    maxClientBatchSize: count(doc.max_client_batch_size),
    maxBatchTokens: count(doc.max_batch_tokens),
    maxInputLength: count(doc.max_input_length),
  };
}
