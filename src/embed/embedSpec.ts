import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors.js';

/** How a source names its model: `glove` (the default), `http:MODEL`, `onnx:DIR`. */
export interface EmbedSpec {
  provider: 'glove' | 'http' | 'onnx';
  /** The part after the colon (null for glove). */
  arg: string | null;
}

/** A source's embedding settings as stored (the key itself never is: only its variable's name). */
export interface EmbedSettings {
  spec: string | null;
  /** http: the server. */
  url: string | null;
  /** http: the environment variable that holds the API key. */
  keyEnv: string | null;
}

export const defaultEmbedSpec = 'glove';

export function parseEmbedSpec(spec: string | null): EmbedSpec {
  const text = spec ?? defaultEmbedSpec;
  const colon = text.indexOf(':');
  const provider = colon === -1 ? text : text.slice(0, colon);
  const arg = colon === -1 ? null : text.slice(colon + 1);
  if (provider === 'glove' && arg === null) return { provider, arg };
  if ((provider === 'http' || provider === 'onnx') && arg) return { provider, arg };
  throw new ConfigError(
    `--embed ${JSON.stringify(text)} is not a model brainsync knows: use "glove" (the offline default), ` +
      '"http:MODEL" with --embed-url, or "onnx:DIR".',
  );
}

/** Checks settings when a source is added or changed, so that a sync never finds them unusable. */
export function validateEmbedSettings(s: EmbedSettings): EmbedSpec {
  const parsed = parseEmbedSpec(s.spec);
  if (parsed.provider === 'onnx') checkModelDir(parsed.arg!);
  if (parsed.provider === 'http' && !s.url) {
    throw new ConfigError(`--embed ${s.spec} needs --embed-url: the server that serves /v1/embeddings, e.g. http://gpu-box:8080.`);
  }
  if (parsed.provider !== 'http' && (s.url || s.keyEnv)) {
    throw new ConfigError('--embed-url and --embed-key-env only apply to an http model (--embed http:MODEL).');
  }
  if (s.url && !/^https?:\/\/[^/]/i.test(s.url)) {
    throw new ConfigError(`--embed-url ${JSON.stringify(s.url)} is not an http(s) URL; e.g. http://gpu-box:8080.`);
  }
  if (s.keyEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.keyEnv)) {
    throw new ConfigError(`--embed-key-env ${JSON.stringify(s.keyEnv)} is not an environment variable name; e.g. EMBED_API_KEY.`);
  }
  return parsed;
}

/** Cron runs with another working directory: the path must be absolute, and hold the model now. */
function checkModelDir(dir: string): void {
  if (!isAbsolute(dir)) {
    throw new ConfigError(`--embed onnx:${dir}: give the model directory as an absolute path (cron runs elsewhere).`);
  }
  const missing = ['model.onnx', 'tokenizer.json'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new ConfigError(`--embed onnx:${dir}: the directory has no ${missing.join(' and no ')}; an onnx model directory holds both.`);
  }
}
