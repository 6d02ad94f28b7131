import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyResult } from '../../src/core/verifySources.js';
import { backends, type TestBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, query, runCli } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { processBrain, removeTemps } from './fixtures.js';

describe.each(backends())('verify and failures through the CLI on %s', (backend) => {
  let brain: TestBrain;
  let repo: TestRepo;
  beforeAll(async () => {
    brain = await processBrain(backend);
    repo = await createRepo();
    await repo.write('notes/a.md', '# A\n\nText.\n');
    await repo.write('notes/dir/b.md', '# B\n\nText.\n');
    await repo.write('notes/private/c.md', '# C\n\nSecret.\n');
    await repo.write('notes/.brainsyncignore', 'private/\n');
    await repo.write('notes/bad.md', '---\ntitle: [unclosed\n---\n');
    await repo.commit('first');
    expect((await runCli(['sources', 'add', 'notes', repo.dir, '--subdir', 'notes'], { db: brain })).code).toBe(0);
    const synced = await runCli(['sync', '--source', 'notes', '--no-embed'], { db: brain });
    expect(synced.code, describeRun(synced)).toBe(3);
  });
  afterAll(async () => {
    await repo?.cleanup();
    await removeTemps();
  });
  afterEach(killAllCli);

  it('lists a failed file as a table and as JSON, and says how to retry', async () => {
    const table = await runCli(['failures'], { db: brain });
    expect(table.code, describeRun(table)).toBe(0);
    expect(table.stderr).toMatch(/^SOURCE +PATH +CODE +ATTEMPTS +FIRST SEEN +LAST SEEN +BLOB$/m);
    expect(table.stderr).toMatch(/^notes +bad\.md +invalid_yaml +1 +\d{4}-\d\d-\d\d \d\d:\d\dZ +\d{4}-.*Z +[0-9a-f]{10}$/m);
    expect(table.stderr).toContain('brainsync sync --source notes --retry-failed');
    const json = await runCli(['failures', '--source', 'notes', '--json'], { db: brain });
    expect(json.code, describeRun(json)).toBe(0);
    const blob = await repo.git(['rev-parse', 'HEAD:notes/bad.md']);
    expect(jsonOf<unknown[]>(json)).toEqual([
      {
        source: 'notes', path: 'bad.md', code: 'invalid_yaml', message: expect.stringMatching(/skipped/), blobOid: blob,
        firstSeenAt: expect.any(String), lastSeenAt: expect.any(String), attempts: 1,
      },
    ]);
  });

  it('exits 0 on a clean brain and 1 with every kind of drift after the brain is damaged', async () => {
    const clean = await runCli(['verify', '--source', 'notes'], { db: brain });
    expect(clean.code, describeRun(clean)).toBe(0);
    expect(clean.stderr).toMatch(/notes: clean at [0-9a-f]{12}: 2 pages match the bookmark's files, 1 failed file accounted for/);

    await query(brain, "delete from pages where path = 'a.md'");
    await query(brain, "update pages set blob_oid = repeat('f', 40) where path = 'dir/b.md'");
    await query(
      brain,
      `insert into pages (source_id, path, slug, title, body, blob_oid, content_hash)
       select id, 'private/c.md', 'private/c', 'C', 'x', repeat('e', 40), 'x' from sources where name = 'notes'`,
    );
    const damaged = await runCli(['verify', '--all', '--json'], { db: brain });
    expect(damaged.code, describeRun(damaged)).toBe(1);
    const doc = jsonOf<{ exitCode: number; sources: VerifyResult[] }>(damaged);
    expect(doc.exitCode).toBe(1);
    expect(doc.sources).toEqual([
      expect.objectContaining({
        source: 'notes', status: 'drift', clean: false, failed: 1,
        missing: ['a.md'], extra: ['private/c.md'], outdated: ['dir/b.md'],
        bookmark: await repo.git(['rev-parse', 'HEAD']),
      }),
    ]);
    expect(damaged.stderr).toMatch(/notes: differs from its bookmark [0-9a-f]{12}: 1 missing, 1 extra, 1 out of date/);
    expect(damaged.stderr).toContain('brainsync sync --source notes --full');

    const repaired = await runCli(['sync', '--source', 'notes', '--full', '--no-embed'], { db: brain });
    expect(repaired.code, describeRun(repaired)).toBe(0); // the known failure is not retried
    const again = await runCli(['verify', '--all'], { db: brain });
    expect(again.code, describeRun(again)).toBe(0);
  });

  it('refuses a missing or contradictory selection and an unknown source with exit 2', async () => {
    const none = await runCli(['verify'], { db: brain });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--source NAME \(repeatable\) or --all/);
    const both = await runCli(['verify', '--all', '--source', 'notes'], { db: brain });
    expect(both.code).toBe(2);
    const unknown = await runCli(['verify', '--source', 'nope'], { db: brain });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no source named "nope"/);
    const failures = await runCli(['failures', '--source', 'nope'], { db: brain });
    expect(failures.code).toBe(2);
  });
});
