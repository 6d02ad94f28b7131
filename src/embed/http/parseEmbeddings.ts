import { bodyExcerpt } from './checkStatus.js';
import { EmbedServerError } from './EmbedServerError.js';

/**
 * The vectors of an OpenAI-style embeddings answer (`{ data: [{ index, embedding }] }`), in
 * input order, each L2-normalised here because servers differ in whether they normalise.
 * Items are placed by `index`, not by their position in `data` (servers that batch
 * internally may answer out of order), and every index must appear exactly once. `dimensions`
 * null accepts the first item's length, and every other item must match it.
 */
export function parseEmbeddings(body: string, count: number, dimensions: number | null, server: string): Float32Array[] {
  const malformed = (what: string) =>
    new EmbedServerError(
      `${server} sent an answer brainsync cannot read as embeddings: ${what}. Is the URL an OpenAI-compatible ` +
        '/v1/embeddings server (text-embeddings-inference, vLLM, Infinity, Ollama, OpenAI)?',
    );
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    // Python servers write NaN and Infinity as bare words, which JSON does not allow.
    const nonFinite = /[[,:]\s*-?(NaN|Infinity)\b/.test(body)
      ? ' (it holds NaN or Infinity: the model produced non-finite numbers)'
      : '';
    throw malformed(`the body is not JSON${nonFinite}${bodyExcerpt(body)}`);
  }
  const data = (doc as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw malformed(`it has no "data" list${bodyExcerpt(body)}`);
  if (data.length !== count) throw malformed(`${data.length} embeddings came back for ${count} inputs`);
  const out = new Array<Float32Array>(count);
  let dims = dimensions;
  for (const item of data as Array<{ index?: unknown; embedding?: unknown } | null>) {
    const index = item?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      throw malformed(`an item's "index" is ${JSON.stringify(index)}, not a position from 0 to ${count - 1}`);
    }
    if (out[index]) throw malformed(`index ${index} appears twice`);
    const embedding = item?.embedding;
    if (!Array.isArray(embedding)) throw malformed(`the "embedding" of index ${index} is not a list of numbers`);
    if (dims === null) dims = embedding.length;
    if (embedding.length !== dims) {
      throw new EmbedServerError(
        `${server} returned a vector of ${embedding.length} dimensions where ${dims} were expected: it serves ` +
          "another model than the source's settings say, or the dimensions setting is wrong. Fix the settings; " +
          'vectors of different lengths can never be compared.',
      );
    }
    out[index] = unitVector(embedding, () => malformed(`the vector of index ${index} ${describeBad(embedding)}`));
  }
  return out;
}

function unitVector(values: unknown[], bad: () => Error): Float32Array {
  let sum = 0;
  for (const x of values) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad();
    sum += x * x;
  }
  // A zero vector has no direction: cosine distance to it is undefined.
  if (sum === 0 || !Number.isFinite(sum)) throw bad();
  const scale = 1 / Math.sqrt(sum);
  const v = new Float32Array(values.length);
  for (let i = 0; i < v.length; i++) v[i] = (values[i] as number) * scale;
  return v;
}

function describeBad(values: unknown[]): string {
  if (values.length === 0) return 'is empty';
  const odd = values.find((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (odd !== undefined) return `holds ${typeof odd === 'number' ? String(odd) : JSON.stringify(odd)}, not a finite number`;
  return 'is all zeros (or too large to normalise), so it has no direction';
}
