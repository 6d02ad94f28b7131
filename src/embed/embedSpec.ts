import { ConfigError } from '../errors.js';

/** How a source names its model: `glove` (the default), `http:MODEL`, `onnx:DIR`. */
export interface EmbedSpec {
  provider: 'glove' | 'http' | 'onnx';
  /** The part after the colon (null for glove). */
  arg: string | null;
}

export const defaultEmbedSpec = 'glove';

/** Providers this build can run; a spec naming another is refused when it is set. */
const available = new Set<EmbedSpec['provider']>(['glove']);

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

/** Checks a spec when a source is added or changed, so that a sync never finds it unusable. */
export function validateEmbedSpec(spec: string): EmbedSpec {
  const parsed = parseEmbedSpec(spec);
  if (!available.has(parsed.provider)) {
    throw new ConfigError(
      `--embed ${JSON.stringify(spec)}: the ${parsed.provider} provider is not part of this version of brainsync yet; ` +
        'use "glove" (the offline default) for now.',
    );
  }
  return parsed;
}
