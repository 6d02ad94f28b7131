import { ConfigError } from '../../errors.js';

/**
 * The server's root URL, without a trailing slash or `/v1`: `http://gpu-box:8080`,
 * `http://gpu-box:8080/`, `http://gpu-box:8080/v1` and `…/v1/` all give
 * `http://gpu-box:8080`. Embeddings are posted to `<root>/v1/embeddings`; TEI publishes its
 * limits at `<root>/info`. A path prefix (a reverse proxy's `/embed`) is kept.
 */
export function serverRoot(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`embedding server URL "${url}" is not a URL: give one like http://gpu-box:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`embedding server URL "${url}" must start with http:// or https://`);
  }
  // Credentials in the URL would be printed with every error; the key has its own setting.
  if (parsed.username || parsed.password) {
    throw new ConfigError(
      `embedding server URL must not carry credentials: give the key through the source's API key setting instead`,
    );
  }
  if (parsed.search || parsed.hash) {
    const hint = 'give its root, like http://gpu-box:8080';
    throw new ConfigError(`embedding server URL "${url}" must not have a query or fragment: ${hint}`);
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${parsed.origin}${path}`;
}
