import { redactCredentials } from '../../redact.js';
import type { SourceCounts, SourceRow } from '../../db/sourcesQueries.js';

/** The object `sources list --json` and `sources show --json` print (documented in README). */
export function sourceJson(r: SourceRow, counts?: SourceCounts) {
  return {
    name: r.name,
    repo: redactCredentials(r.repo),
    repoKind: r.repoKind,
    branch: r.branch,
    subdir: r.subdir,
    embedModel: r.embedModel,
    embedUrl: r.embedUrl && redactCredentials(r.embedUrl),
    embedKeyEnv: r.embedKeyEnv,
    bookmarkCommit: r.bookmarkCommit,
    bookmarkAt: r.bookmarkAt?.toISOString() ?? null,
    pages: counts?.pages ?? 0,
    chunks: counts?.chunks ?? 0,
    failedFiles: counts?.failures ?? 0,
    createdAt: r.createdAt.toISOString(),
  };
}

export function formatSource(r: SourceRow): string {
  const repo = redactCredentials(r.repo);
  const where = r.subdir ? `${repo} (${r.subdir}/)` : repo;
  return `${where} @ ${r.branch}`;
}
