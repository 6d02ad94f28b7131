import ignore from 'ignore';

export const ignoreFileName = '.brainsyncignore';

export type Selection =
  | { kind: 'skip' }
  | { kind: 'import' }
  | { kind: 'fail'; code: 'symlink' | 'path_escape'; message: string };

const markdown = /\.(md|markdown)$/i;
const gitlinkMode = '160000';
const symlinkMode = '120000';
const skip: Selection = { kind: 'skip' };
const take: Selection = { kind: 'import' };

export type FileSelector = (path: string, mode: string) => Selection;

/**
 * Which files of a source become pages: markdown files, minus the source's
 * `.brainsyncignore` (gitignore syntax). Symlinks and paths that would leave the repository
 * are failures to report, never followed.
 */
export function fileSelector(ignoreText: string | null): FileSelector {
  const ig = ignoreText ? ignore().add(ignoreText) : null;
  return (path, mode) => {
    if (!markdown.test(path) || mode === gitlinkMode) return skip;
    if (escapes(path)) {
      return {
        kind: 'fail',
        code: 'path_escape',
        message: 'the path would lead outside the repository; the file was skipped. Rename it to a plain relative path.',
      };
    }
    if (ig?.ignores(path)) return skip;
    if (mode === symlinkMode) {
      return {
        kind: 'fail',
        code: 'symlink',
        message:
          'the file is a symbolic link; brainsync never follows links. Commit the note itself, or ignore it in .brainsyncignore.',
      };
    }
    return take;
  };
}

function escapes(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\')) return true;
  return path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '');
}
