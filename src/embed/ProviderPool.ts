import type { Db } from '../db/Db.js';
import { enqueueChunksOfModel, findEmbedModel, registerEmbedModel } from '../db/embedQueries.js';
import { ensureVectorIndex, modelHasVectors } from '../db/vectorSearchQueries.js';
import type { EmbeddingProvider } from './EmbeddingProvider.js';
import { EmbedError } from './EmbedError.js';
import { defaultEmbedSpec, parseEmbedSpec, type EmbedSettings } from './embedSpec.js';

export interface LoadedModel {
  provider: EmbeddingProvider;
  /** Its row in embed_models. */
  modelId: number;
}

export interface ProviderPoolOptions {
  /** Where API keys are looked up by the variable name a source names (the CLI passes process.env). */
  env?: Record<string, string | undefined>;
  /** `--embed-batch-tokens`: tokens per model call for in-process models, instead of measuring the GPU. */
  batchTokens?: number;
  /** One-line notices (an onnx model falling back to the CPU) and --debug lines (how a batch size was chosen). */
  onNotice?: (line: string) => void;
  onDebug?: (line: string) => void;
  /**
   * A reader's pool (search): models are looked up, never registered. A model the brain has
   * not seen gets id 0, which no vector has, so its sources read as not embedded yet; the
   * writer that registers it (a run, `brainsync embed`) queues their chunks and records it.
   */
  readOnly?: boolean;
  /** Replaces the built-in providers (tests wrap a real one to count its calls). */
  create?: (settings: EmbedSettings, signal?: AbortSignal) => Promise<EmbeddingProvider>;
}

/**
 * Loads each model once per process and serves every source that uses it (DESIGN §5: one
 * process can serve several models). Runtimes are imported here, lazily: the import side of
 * a sync never loads one.
 */
export class ProviderPool {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly modelsDir: string,
    private readonly opts: ProviderPoolOptions = {},
  ) {}

  get(db: Db, settings: EmbedSettings, signal?: AbortSignal): Promise<LoadedModel> {
    const key = JSON.stringify([settings.spec, settings.url, settings.keyEnv]);
    let model = this.loaded.get(key);
    if (!model) {
      model = this.load(db, settings, signal);
      this.loaded.set(key, model);
      model.catch(() => this.loaded.delete(key));
    }
    return model;
  }

  private async load(db: Db, settings: EmbedSettings, signal?: AbortSignal): Promise<LoadedModel> {
    const provider = await (this.opts.create ?? this.create.bind(this))(settings, signal);
    if (!(provider.dimensions > 0)) throw new EmbedError(`the ${provider.name} model reports ${provider.dimensions} dimensions`);
    const identity = { provider: provider.name, model: provider.model, dimensions: provider.dimensions, fingerprint: provider.fingerprint };
    if (this.opts.readOnly) return { provider, modelId: (await findEmbedModel(db, identity)) ?? 0 };
    const modelId = await db.transaction(async (tx) => {
      const { id, created } = await registerEmbedModel(tx, identity);
      // A model this brain has not seen under these settings' sources (the server now runs
      // another model, a new brainsync changed GloVe's vectors): their chunks' vectors are the
      // old model's, so every chunk waits for the new one, as after `sources set --embed`.
      if (created) await enqueueChunksOfModel(tx, settings.spec ?? defaultEmbedSpec, settings.url);
      return id;
    });
    // A model without vectors gets its index now, while building it is instant; an existing
    // model's index is built by the first search instead, never inside a sync's time budget.
    if (db.capabilities.vectorIndex && !(await modelHasVectors(db, modelId))) {
      await ensureVectorIndex(db, modelId, provider.dimensions);
    }
    return { provider, modelId };
  }

  private async create(settings: EmbedSettings, signal?: AbortSignal): Promise<EmbeddingProvider> {
    const parsed = parseEmbedSpec(settings.spec);
    switch (parsed.provider) {
      case 'glove': {
        const { createGloveProvider } = await import('./glove/GloveProvider.js');
        return createGloveProvider({ cacheDir: this.modelsDir, signal });
      }
      case 'http': {
        const { createHttpProvider } = await import('./http/createHttpProvider.js');
        return createHttpProvider({
          url: settings.url ?? '', model: parsed.arg!, apiKey: this.apiKey(settings), apiKeySource: settings.keyEnv ?? undefined, signal,
        });
      }
      case 'onnx':
        return this.createOnnx(parsed.arg!, signal);
    }
  }

  /** An in-process model: its batch size comes from the GPU's free memory now (or the CPU default). */
  private async createOnnx(dir: string, signal?: AbortSignal): Promise<EmbeddingProvider> {
    const { createOnnxProvider } = await import('./onnx/createOnnxProvider.js');
    const { batchTokenBudget } = await import('./gpu/batchTokenBudget.js');
    const provider = await createOnnxProvider({ dir, signal });
    if (provider.notice) this.opts.onNotice?.(provider.notice);
    const budget = await batchTokenBudget({
      override: this.opts.batchTokens,
      cudaVisibleDevices: this.opts.env?.CUDA_VISIBLE_DEVICES,
      model: { bytes: provider.modelBytes, maxSequenceTokens: provider.maxTokens },
      signal,
    });
    provider.batchTokens = budget.tokens;
    this.opts.onDebug?.(`${provider.model}: ${budget.reason}`);
    return provider;
  }

  private apiKey(settings: EmbedSettings): string | undefined {
    if (!settings.keyEnv) return undefined;
    const key = this.opts.env?.[settings.keyEnv];
    if (!key) {
      throw new EmbedError(
        `the source's API key variable ${settings.keyEnv} is not set in this environment; ` +
          'export it where brainsync runs (cron jobs start with an almost empty environment).',
      );
    }
    return key;
  }

  async close(): Promise<void> {
    for (const model of this.loaded.values()) {
      await model.then((m) => m.provider.close()).catch(() => {});
    }
    this.loaded.clear();
  }
}
