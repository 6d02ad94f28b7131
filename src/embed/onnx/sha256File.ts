import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { EmbedError } from '../EmbedError.js';

/** sha256 hex of a file, streamed: model weights run to gigabytes. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  } catch (err) {
    signal?.throwIfAborted();
    throw new EmbedError(`${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return hash.digest('hex');
}
