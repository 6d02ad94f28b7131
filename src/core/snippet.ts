/** How long a snippet without highlights is, in characters. */
const snippetChars = 240;

/**
 * The start of a chunk's text as one line: heading lines dropped (the heading path is given
 * separately), whitespace collapsed, cut at a word boundary.
 */
export function plainSnippet(text: string): string {
  const flat = text
    .split('\n')
    .filter((line) => !/^\s{0,3}#{1,6}\s/.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= snippetChars) return flat;
  const cut = flat.slice(0, snippetChars);
  const space = cut.lastIndexOf(' ');
  return `${space > snippetChars / 2 ? cut.slice(0, space) : cut} …`;
}
