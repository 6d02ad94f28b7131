import type { Queryable } from '../db/Db.js';
import { ensureEmbedModel } from '../db/embedQueries.js';
import type { EmbeddingProvider } from './EmbeddingProvider.js';
import { EmbedError } from './EmbedError.js';
import { parseEmbedSpec } from './embedSpec.js';

export interface LoadedModel {
  provider: EmbeddingProvider;
  /** Its row in embed_models. */
  modelId: number;
}

/**
 * Loads each model once per process and serves every source that uses it (DESIGN §5: one
 * process can serve several models). Runtimes are imported here, lazily: the import side of
 * a sync never loads one.
 */
export class ProviderPool {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  /** `create` replaces the built-in providers (tests wrap a real one to count its calls). */
  constructor(
    private readonly modelsDir: string,
    private readonly createProvider?: (spec: string | null, signal?: AbortSignal) => Promise<EmbeddingProvider>,
  ) {}

  get(db: Queryable, spec: string | null, signal?: AbortSignal): Promise<LoadedModel> {
    const key = spec ?? '';
    let model = this.loaded.get(key);
    if (!model) {
      model = this.load(db, spec, signal);
      this.loaded.set(key, model);
      model.catch(() => this.loaded.delete(key));
    }
    return model;
  }

  private async load(db: Queryable, spec: string | null, signal?: AbortSignal): Promise<LoadedModel> {
    const provider = await (this.createProvider ?? this.create.bind(this))(spec, signal);
    if (!(provider.dimensions > 0)) throw new EmbedError(`the ${provider.name} model reports ${provider.dimensions} dimensions`);
    const modelId = await ensureEmbedModel(db, {
      provider: provider.name, model: provider.model, dimensions: provider.dimensions, fingerprint: provider.fingerprint,
    });
    return { provider, modelId };
  }

  private async create(spec: string | null, signal?: AbortSignal): Promise<EmbeddingProvider> {
    const parsed = parseEmbedSpec(spec);
    switch (parsed.provider) {
      case 'glove': {
        const { createGloveProvider } = await import('./glove/GloveProvider.js');
        return createGloveProvider({ cacheDir: this.modelsDir, signal });
      }
      default:
        throw new EmbedError(
          `the ${parsed.provider} provider is not part of this version of brainsync yet; ` +
            'set the source back to "glove" with `brainsync sources set NAME --embed glove`.',
        );
    }
  }

  async close(): Promise<void> {
    for (const model of this.loaded.values()) {
      await model.then((m) => m.provider.close()).catch(() => {});
    }
    this.loaded.clear();
  }
}
