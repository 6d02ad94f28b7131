import type { TestRepo } from './gitRepo.js';

/**
 * A small brain on distinct topics for search tests. The paraphrase queries in the tests share
 * no word (stemmed, stop words aside) with their answers; the tests check that too.
 */
export const searchNotes: Record<string, string> = {
  'finance/invoices.md':
    '# Invoices\n\nThree municipalities pay us per site per year. Until now the invoices came out of a spreadsheet ' +
    'kept by hand; this project moves them to the accounting system the rest of the company uses.\n',
  'howto/restore-backup.md':
    '# Restore a database backup\n\nNever restore over production. List the backups, then restore the one closest ' +
    'to the point in time into a new instance and copy what you need.\n\n## Afterwards\n\nDrop the scratch instance when you are done.\n',
  'garden/tomatoes.md':
    '# Growing tomatoes\n\nSow seeds indoors in March, plant them out after the last frost, water deeply twice a ' +
    'week and pinch out the side shoots.\n',
  'sport/league.md':
    '# Saturday league\n\nOur team plays in the Saturday league. The match starts at ten and the coach picks the ' +
    'squad on Friday evening.\n',
  'kitchen/bread.md':
    '# Sourdough\n\nFeed the starter the night before, mix flour, water and salt, fold the dough every half hour, ' +
    'and bake it in a hot oven.\n',
  'ops/rotation.md':
    '# Rotation\n\nWho is on call this month, and how the pager is handed over on Mondays. A backup person covers ' +
    'holidays.\n',
  'ops/backups-title.md': '# Backups\n\nNightly at two; kept for thirty days.\n',
};

export async function writeSearchNotes(repo: TestRepo): Promise<void> {
  for (const [path, text] of Object.entries(searchNotes)) await repo.write(path, text);
  await repo.commit('search notes');
}
