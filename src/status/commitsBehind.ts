import { join } from 'node:path';
import { runGit } from '../git/runGit.js';

export interface BehindQuery {
  name: string;
  repo: string;
  repoKind: 'local' | 'remote';
  bookmark: string | null;
  tip: string | null;
}

/**
 * Counts the commits in `tip` that `bookmark` lacks (`git rev-list --count bookmark..tip`) in
 * the repository the runs read (the user's checkout, or brainsync's mirror of a clone URL).
 * Only sources whose bookmark is behind their tip cost a git call, and each pair is counted
 * once per process. Unknown (null) when there is no bookmark or tip, no mirror directory was
 * given, or git cannot answer (a repository moved, a force-push removed the commit).
 */
export class CommitsBehind {
  private readonly known = new Map<string, number | null>();

  constructor(private readonly reposDir: string | undefined) {}

  async of(q: BehindQuery, signal?: AbortSignal): Promise<number | null> {
    if (!q.bookmark || !q.tip) return null;
    if (q.bookmark === q.tip) return 0;
    const dir = q.repoKind === 'local' ? q.repo : this.reposDir ? join(this.reposDir, q.name) : null;
    if (!dir) return null;
    const key = `${dir}\0${q.bookmark}\0${q.tip}`;
    if (this.known.has(key)) return this.known.get(key)!;
    let n: number | null = null;
    try {
      const out = await runGit(dir, ['rev-list', '--count', `${q.bookmark}..${q.tip}`], { signal: signal ?? AbortSignal.timeout(5000) });
      n = Number.parseInt(out.trim(), 10);
      if (!Number.isFinite(n)) n = null;
    } catch {
      n = null;
    }
    this.known.set(key, n);
    return n;
  }
}
