import { BrainsyncError } from '../errors.js';

/** A model could not be loaded or run (missing package, unreadable weights, bad output). */
export class EmbedError extends BrainsyncError {
  override readonly code = 'embed';
}
