import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceFailureRow } from '../../src/db/failuresQueries.js';
import type { TestBrain } from '../helpers/brains.js';
import { describeRun, jsonOf, killAllCli, query, resultOf, runCli, type CliResult } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/gitRepo.js';
import { processBrain, removeTemps } from './fixtures.js';

// File names a repository can hold: ESC starting a colour, a line feed that forges a summary
// line, an OSC that retitles the terminal (ended by BEL), a tab, a carriage return and a C1 CSI.
const forged = 'esc\x1b[31mred\nr7: synced · fake.md';
const retitle = 'esc2\x1b]0;title\x07.md';
const tab = 'tab\there.md';
const cr = 'cr\rhere\u009b.md';
// A frontmatter title with ESC, a C1 control (NEL) and DEL, written as YAML escapes.
const title = 'T\x1b[2J\u0085 \x7f';

const anyControl = /[\u0000-\u001f\u007f-\u009f]/;

/** Human output (stderr): split at the newlines that end its lines, no line holds a control character. */
function expectNoControls(r: CliResult): void {
  for (const line of r.stderr.split('\n')) expect(line, describeRun(r)).not.toMatch(anyControl);
}

describe('control characters from a repository in human output', () => {
  let brain: TestBrain;
  let repo: TestRepo;
  let synced: CliResult;
  beforeAll(async () => {
    brain = await processBrain('pglite');
    repo = await createRepo();
    await repo.write(forged, '\0');
    await repo.write(retitle, '# ok\n');
    await repo.write(tab, '---\ntitle: "T\\e[2J\\N \\x7f"\n---\n# t\n');
    await repo.write(cr, 'No heading here: the title is the file name. zebra\n');
    await repo.commit('names with control characters');
    expect((await runCli(['sources', 'add', 'r7', repo.dir], { db: brain })).code).toBe(0);
    synced = await runCli(['sync', '--source', 'r7', '--no-embed', '--json'], { db: brain });
    expect(synced.code, describeRun(synced)).toBe(3);
  });
  afterAll(async () => {
    await repo?.cleanup();
    await removeTemps();
  });
  afterEach(killAllCli);

  it('sync shows a failed path escaped, so it cannot forge a line, and --json keeps the exact path', () => {
    expectNoControls(synced);
    expect(synced.stderr).toContain('  esc\\x1b[31mred\\nr7: synced · fake.md: file contains a NUL byte');
    expect(synced.stderr.split('\n').filter((l) => l.startsWith('r7: synced'))).toHaveLength(1);
    expect(resultOf(synced).failures.map((f) => f.path)).toEqual([forged]);
  });

  it('failures shows the path escaped in its table and exact in --json', async () => {
    const table = await runCli(['failures'], { db: brain });
    expect(table.code, describeRun(table)).toBe(0);
    expectNoControls(table);
    expect(table.stderr).toMatch(/^r7 +esc\\x1b\[31mred\\nr7: synced · fake\.md +binary +1 /m);
    const json = await runCli(['failures', '--json'], { db: brain });
    expect(jsonOf<SourceFailureRow[]>(json).map((f) => f.path)).toEqual([forged]);
  });

  it('pages list shows paths and titles escaped, and --json keeps them exact', async () => {
    const list = await runCli(['pages', 'list', '--source', 'r7'], { db: brain });
    expect(list.code, describeRun(list)).toBe(0);
    expectNoControls(list);
    const lines = list.stderr.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^cr\\rhere\\u009b\.md {2}cr-here {2}"cr\\rhere\\u009b" /));
    expect(lines).toContainEqual(expect.stringMatching(/^esc2\\x1b\]0;title\\x07\.md {2}esc2-0-title {2}"ok" /));
    expect(lines).toContainEqual(expect.stringMatching(/^tab\\there\.md {2}tab-here {2}"T\\x1b\[2J\\u0085 \\x7f" /));
    const json = await runCli(['pages', 'list', '--source', 'r7', '--json'], { db: brain });
    const pages = jsonOf<Array<{ path: string; title: string }>>(json);
    expect(pages.map((p) => [p.path, p.title])).toEqual([[cr, 'cr\rhere\u009b'], [retitle, 'ok'], [tab, title]]);
  });

  it('pages show and search show titles, paths and frontmatter escaped', async () => {
    const shown = await runCli(['pages', 'show', 'tab-here'], { db: brain });
    expect(shown.code, describeRun(shown)).toBe(0);
    expectNoControls(shown);
    expect(shown.stderr).toMatch(/^T\\x1b\[2J\\u0085 \\x7f\nr7:tab\\there\.md · tab-here · /);
    expect(shown.stderr.split('\n')).toContain('  title: "T\\u001b[2J\\u0085 \\x7f"');
    const found = await runCli(['search', 'zebra', '--mode', 'text'], { db: brain });
    expect(found.code, describeRun(found)).toBe(0);
    expectNoControls(found);
    expect(found.stderr).toMatch(/^1\. cr\\rhere\\u009b {2}r7:cr\\rhere\\u009b\.md · /m);
  });

  it('verify lists a drifted path escaped', async () => {
    await query(brain, 'delete from pages where path = $1', [retitle]);
    const r = await runCli(['verify', '--source', 'r7'], { db: brain });
    expect(r.code, describeRun(r)).toBe(1);
    expectNoControls(r);
    expect(r.stderr.split('\n')).toContain('  missing     esc2\\x1b]0;title\\x07.md');
  });
});
