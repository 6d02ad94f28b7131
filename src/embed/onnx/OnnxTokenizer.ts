import { join } from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import { EmbedError } from '../EmbedError.js';
import { parseJsonFile, readModelFile, readOptionalModelFile } from './readModelFile.js';

/** Sequence length when neither tokenizer.json nor tokenizer_config.json gives one (BERT's). */
export const DEFAULT_MAX_TOKENS = 512;
/**
 * transformers writes model_max_length = int(1e30) for "no limit"; anything this large is not a
 * real limit, and the default applies.
 */
const UNBOUNDED_MAX_LENGTH = 1_000_000;

export interface EncodedText {
  ids: number[];
  typeIds: number[];
}

export interface OnnxTokenizerFiles {
  /** tokenizer.json's bytes, for the fingerprint. */
  tokenizerJson: Buffer;
  /** tokenizer_config.json's bytes, or null when absent. */
  tokenizerConfig: Buffer | null;
}

/**
 * A HuggingFace `tokenizer.json` run by @huggingface/tokenizers (pure JavaScript: it reads the
 * file offline and needs no native build). That library does not truncate, so this class
 * does what the Rust tokenizers do: cut the text's tokens to the model's length minus the
 * special tokens, then add the special tokens ([CLS] … [SEP]) with the file's post-processor.
 */
export class OnnxTokenizer {
  readonly maxTokens: number;
  readonly maxTokensFrom: string;
  readonly padId: number;
  private readonly specialTokens: number;
  private readonly unkId: number;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly files: OnnxTokenizerFiles,
    limit: { maxTokens: number; from: string },
    private readonly truncateLeft: boolean,
    padToken: string | undefined,
  ) {
    this.maxTokens = limit.maxTokens;
    this.maxTokensFrom = limit.from;
    this.specialTokens = this.postProcess([]).tokens.length;
    if (this.maxTokens <= this.specialTokens) {
      throw new EmbedError(`tokenizer: a maximum of ${this.maxTokens} tokens leaves no room for text after ${this.specialTokens} special tokens (${limit.from})`);
    }
    this.padId = firstId(tokenizer, [padToken, '[PAD]', '<pad>', '<|endoftext|>']) ?? 0;
    this.unkId = tokenizer.model?.unk_token_id ?? this.padId;
  }

  /** Token ids and token type ids of one text, special tokens included, at most `maxTokens`. */
  encode(text: string): EncodedText {
    const tokens = this.tokenizer.tokenize(text, { add_special_tokens: false });
    const room = this.maxTokens - this.specialTokens;
    const kept = tokens.length <= room ? tokens : this.truncateLeft ? tokens.slice(-room) : tokens.slice(0, room);
    const { tokens: all, token_type_ids } = this.postProcess(kept);
    const ids = all.map((t) => this.tokenizer.token_to_id(t) ?? this.unkId);
    // A tokenizer without special tokens gives an empty text no token; a model needs one.
    if (ids.length === 0) return { ids: [this.unkId], typeIds: [0] };
    return { ids, typeIds: token_type_ids ?? new Array<number>(ids.length).fill(0) };
  }

  private postProcess(tokens: string[]): { tokens: string[]; token_type_ids?: number[] } {
    return this.tokenizer.post_processor ? this.tokenizer.post_processor(tokens, null, true) : { tokens };
  }
}

/** Reads `dir/tokenizer.json` (and `tokenizer_config.json` when present). */
export async function loadOnnxTokenizer(dir: string, opts: { maxTokens?: number; signal?: AbortSignal } = {}): Promise<OnnxTokenizer> {
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizerJson = await readModelFile(tokenizerPath, opts.signal);
  const tokenizerConfig = await readOptionalModelFile(join(dir, 'tokenizer_config.json'), opts.signal);
  const json = parseJsonFile(tokenizerJson, tokenizerPath) as TokenizerJson;
  const config = tokenizerConfig ? (parseJsonFile(tokenizerConfig, join(dir, 'tokenizer_config.json')) as TokenizerConfig) : {};
  const { Tokenizer } = await import('@huggingface/tokenizers');
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (err) {
    throw new EmbedError(`${tokenizerPath}: not a tokenizer this version can read: ${(err as Error).message}`, { cause: err });
  }
  const limit = maxTokensOf(json, config, opts.maxTokens);
  return new OnnxTokenizer(tokenizer, { tokenizerJson, tokenizerConfig }, limit, json.truncation?.direction === 'Left', padTokenOf(config));
}

interface TokenizerJson {
  truncation?: { max_length?: unknown; direction?: string } | null;
}
interface TokenizerConfig {
  model_max_length?: unknown;
  pad_token?: unknown;
}

function maxTokensOf(json: TokenizerJson, config: TokenizerConfig, override: number | undefined): { maxTokens: number; from: string } {
  if (override !== undefined) return { maxTokens: override, from: 'the maxTokens option' };
  const truncation = json.truncation?.max_length;
  if (isLength(truncation)) return { maxTokens: truncation, from: 'tokenizer.json truncation.max_length' };
  const configured = config.model_max_length;
  if (isLength(configured)) return { maxTokens: configured, from: 'tokenizer_config.json model_max_length' };
  return { maxTokens: DEFAULT_MAX_TOKENS, from: 'the default' };
}

const isLength = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < UNBOUNDED_MAX_LENGTH;

function padTokenOf(config: TokenizerConfig): string | undefined {
  // Either a string or an AddedToken-like object with `content`.
  const pad = config.pad_token as string | { content?: unknown } | undefined;
  if (typeof pad === 'string') return pad;
  return typeof pad?.content === 'string' ? pad.content : undefined;
}

function firstId(tokenizer: Tokenizer, names: Array<string | undefined>): number | undefined {
  for (const name of names) {
    const id = name === undefined ? undefined : tokenizer.token_to_id(name);
    if (id !== undefined) return id;
  }
  return undefined;
}
