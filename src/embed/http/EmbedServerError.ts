import { EmbedError } from '../EmbedError.js';

/**
 * An embeddings server failed or answered something unusable. `transient` says whether the
 * same request may work later (server down, overloaded, timing out: the chunks stay pending
 * and a later run retries them) or needs a person (bad key, unknown model, wrong dimensions,
 * a server that does not speak the protocol).
 */
export class EmbedServerError extends EmbedError {
  readonly status: number | null;
  readonly transient: boolean;
  constructor(message: string, opts: { status?: number | null; transient?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.status = opts.status ?? null;
    this.transient = opts.transient ?? false;
  }
}
