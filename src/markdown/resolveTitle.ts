import type { Line } from './scanLines.js';

/**
 * The page title: the frontmatter title when it is set, else the text of the first
 * non-empty ATX H1 outside code fences, else the file name without its markdown extension.
 */
export function resolveTitle(frontmatterTitle: string | null, lines: Line[], path: string): string {
  if (frontmatterTitle !== null) return frontmatterTitle;
  for (const line of lines) {
    if (line.kind === 'heading' && line.level === 1 && line.heading !== '') return line.heading;
  }
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  return fileName.replace(/\.(?:md|markdown)$/i, '') || fileName;
}
