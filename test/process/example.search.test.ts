import { execFile } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { testModelsDir } from '../helpers/embed.js';
import { makeTempDir } from '../helpers/gitRepo.js';

const run = promisify(execFile);

it('npm run example ends with a keyword search and a search by meaning whose words its answer never uses', async () => {
  const home = await makeTempDir('brainsync-example-');
  await mkdir(testModelsDir, { recursive: true });
  await symlink(testModelsDir, join(home, 'models'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, BRAINSYNC_HOME: home, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    delete env.BRAINSYNC_DATABASE_URL;
    delete env.DATABASE_URL;
    const { stderr } = await run('sh', ['examples/run-example.sh'], { cwd: repoRoot, env, timeout: 90_000 });
    const [, keyword, meaning] = stderr.split(/^\$ brainsync search /m);
    expect(keyword).toMatch(/^"restore a backup".*\n1\. Restore a Database Backup .* text #1 · vector #1/);
    expect(keyword).toContain('«Restore»');
    expect(meaning).toMatch(/^"revenue from cities".*\n1\. Billing Migration .* vector #1 · score/);

    // The paraphrase really shares no word with its answer: not even one of its words finds it.
    const { stdout } = await run(
      process.execPath,
      ['bin/brainsync.js', '--json', 'search', 'revenue or cities', '--mode', 'text'],
      { cwd: repoRoot, env },
    );
    const paths = (JSON.parse(stdout) as { results: { path: string }[] }).results.map((h) => h.path);
    expect(paths).not.toContain('projects/billing-migration.md');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
