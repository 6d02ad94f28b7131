import type { SourceRow } from '../db/sourcesQueries.js';
import type { BlobReader } from '../git/BlobReader.js';
import type { TreeEntry } from '../git/lsTree.js';
import { readIgnoreFile, refuseIgnoreSymlink } from './readIgnoreFile.js';
import { fileSelector, ignoreFileName, type FileSelector } from './selectFiles.js';

/** The source's ignore file, relative to the repository root. */
export function ignoreFilePath(source: Pick<SourceRow, 'subdir'>): string {
  return source.subdir ? `${source.subdir}/${ignoreFileName}` : ignoreFileName;
}

/**
 * Which files of the source are pages at `commit`: the selection rules (selectFiles) with the
 * source's `.brainsyncignore` as it is at that commit. Planning and verification both take
 * their selector from here, so they cannot disagree about what a page is.
 */
export async function loadFileSelector(
  reader: BlobReader,
  commit: string,
  source: Pick<SourceRow, 'subdir' | 'name'>,
): Promise<FileSelector> {
  return fileSelector(await readIgnoreFile(reader, commit, ignoreFilePath(source), source.name));
}

/**
 * Refuses an ignore file that is a symbolic link in a listed tree (paths relative to the
 * subdirectory). Only a listing shows a file's mode; the blob lookup would read the link target.
 */
export function checkIgnoreFileMode(tree: TreeEntry[], commit: string, source: Pick<SourceRow, 'subdir' | 'name'>): void {
  if (tree.some((e) => e.path === ignoreFileName && e.mode === '120000')) {
    refuseIgnoreSymlink(ignoreFilePath(source), commit, source.name);
  }
}
