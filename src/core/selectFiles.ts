import ignore from 'ignore';
import { isNotUtf8 } from '../git/displayPath.js';

export const ignoreFileName = '.brainsyncignore';

export type Selection =
  | { kind: 'skip' }
  | { kind: 'import' }
  | { kind: 'fail'; code: 'symlink' | 'path_escape' | 'bad_path'; message: string };

const markdown = /\.(md|markdown)$/i;
const gitlinkMode = '160000';
const symlinkMode = '120000';
const skip: Selection = { kind: 'skip' };
const take: Selection = { kind: 'import' };

export type FileSelector = (path: string, mode: string) => Selection;

/**
 * Which files of a source become pages: markdown files, minus the source's
 * `.brainsyncignore` (gitignore syntax). Symlinks, paths that would leave the repository and
 * paths that are not UTF-8 (decodeGitPath keeps their bytes as escapes) are failures to
 * report, never followed or stored.
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
    if (isNotUtf8(path)) {
      return {
        kind: 'fail',
        code: 'bad_path',
        message:
          'the file name is not valid UTF-8 (shown with \\xHH for each byte that is not), so it cannot be stored as a page; ' +
          'the file was skipped. Rename it to a UTF-8 name (`git mv`).',
      };
    }
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

// Git paths are POSIX: a backslash is an ordinary character in a name, not a separator.
function escapes(path: string): boolean {
  if (path.startsWith('/')) return true;
  return path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '');
}
