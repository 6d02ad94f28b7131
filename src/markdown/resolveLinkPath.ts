/**
 * Resolves the destination of a markdown link against the directory of the page that holds
 * it, both relative to the source root. Returns null when the destination is not a markdown
 * file inside the source: a URL with a scheme (`https:`, `mailto:`), a protocol-relative
 * `//host` URL, a fragment-only `#heading`, a non-markdown file, or a path whose `..`
 * segments climb above the root. A destination starting with `/` is taken from the source
 * root, as GitHub and most static-site tools do.
 */
export function resolveLinkPath(pagePath: string, destination: string): string | null {
  let target = destination.trim();
  if (target.startsWith('<') && target.endsWith('>')) target = target.slice(1, -1).trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null;
  target = target.replace(/[?#].*$/s, '');
  target = decodePercent(target);
  if (!/\.(?:md|markdown)$/i.test(target)) return null;
  const segments = target.startsWith('/') ? [] : pagePath.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') segments.push(segment);
    else if (segments.length > 0) segments.pop();
    else return null;
  }
  return segments.length > 0 ? segments.join('/') : null;
}

// A malformed escape (`100%.md`) is more likely a literal percent sign than an error.
function decodePercent(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
