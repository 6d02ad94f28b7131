import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../../../src/git/runGit.js';
import { diffRaw, parseDiffRaw, type Change } from '../../../src/git/diffRaw.js';
import { createRepo, type TestRepo } from '../../helpers/gitRepo.js';

const ZERO = '0'.repeat(40);
const LONG = Array.from({ length: 40 }, (_, i) => `line ${i} of a note that is long enough to be similar`).join('\n');

let repo: TestRepo;
beforeAll(async () => {
  repo = await createRepo();
});
afterAll(() => repo.cleanup());

async function hashOf(content: string): Promise<string> {
  return (await runGit(repo.dir, ['hash-object', '--stdin'], { input: content })).trim();
}
const byPath = (cs: Change[]): Change[] => [...cs].sort((a, b) => a.path.localeCompare(b.path));

describe('diffRaw', () => {
  it('reports added, modified, deleted, renamed and renamed+modified files with their oids and modes', async () => {
    await repo.write('keep.md', 'keep v1');
    await repo.write('gone.md', 'gone');
    await repo.write('moved.md', LONG);
    await repo.write('moved-edit.md', LONG + '\nsecond');
    const from = await repo.commit('base');
    await repo.write('keep.md', 'keep v2');
    await repo.remove('gone.md');
    await repo.write('new.md', 'new');
    await repo.rename('moved.md', 'dir/moved.md');
    await repo.rename('moved-edit.md', 'dir/moved-edit.md');
    await repo.write('dir/moved-edit.md', LONG + '\nsecond, edited');
    const to = await repo.commit('changes');

    const changes = byPath(await diffRaw(repo.dir, from, to));
    expect(changes).toEqual([
      { status: 'R', path: 'dir/moved-edit.md', oldPath: 'moved-edit.md', srcOid: await hashOf(LONG + '\nsecond'), dstOid: await hashOf(LONG + '\nsecond, edited'), srcMode: '100644', dstMode: '100644' },
      { status: 'R', path: 'dir/moved.md', oldPath: 'moved.md', srcOid: await hashOf(LONG), dstOid: await hashOf(LONG), srcMode: '100644', dstMode: '100644' },
      { status: 'D', path: 'gone.md', srcOid: await hashOf('gone'), dstOid: ZERO, srcMode: '100644', dstMode: '000000' },
      { status: 'M', path: 'keep.md', srcOid: await hashOf('keep v1'), dstOid: await hashOf('keep v2'), srcMode: '100644', dstMode: '100644' },
      { status: 'A', path: 'new.md', srcOid: ZERO, dstOid: await hashOf('new'), srcMode: '000000', dstMode: '100644' },
    ]);

    const noRenames = byPath(await diffRaw(repo.dir, from, to, { renames: false }));
    expect(noRenames.map((c) => `${c.status} ${c.path}`)).toEqual([
      'A dir/moved-edit.md', 'A dir/moved.md', 'D gone.md', 'M keep.md', 'A new.md', 'D moved-edit.md', 'D moved.md',
    ].sort((a, b) => a.slice(2).localeCompare(b.slice(2))));
  });

  it('reports a file turned into a symlink as a type change', async () => {
    await repo.write('t/link.md', 'plain file');
    const from = await repo.commit('file');
    await repo.remove('t/link.md');
    await repo.symlink('t/link.md', '../keep.md');
    const to = await repo.commit('symlink');
    const [c] = await diffRaw(repo.dir, from, to);
    expect(c).toMatchObject({ status: 'T', path: 't/link.md', srcMode: '100644', dstMode: '120000', dstOid: await hashOf('../keep.md') });
  });

  it('with a subdir, reports paths relative to it and a file moved out of it as deleted', async () => {
    await repo.write('notes/a.md', LONG);
    await repo.write('notes/deep/b.md', 'b');
    await repo.write('outside.md', 'unrelated text that came from outside');
    const from = await repo.commit('sub base');
    await repo.rename('notes/a.md', 'archive/a.md');
    await repo.write('notes/deep/b.md', 'b2');
    await repo.rename('outside.md', 'notes/inside.md');
    await repo.write('elsewhere.md', 'not mine');
    const to = await repo.commit('sub changes');

    const changes = byPath(await diffRaw(repo.dir, from, to, { subdir: 'notes' }));
    expect(changes.map((c) => [c.status, c.path])).toEqual([
      ['D', 'a.md'],
      ['M', 'deep/b.md'],
      ['A', 'inside.md'],
    ]);
    const same = byPath(await diffRaw(repo.dir, from, to, { subdir: './notes/' }));
    expect(same).toEqual(changes);
  });

  it('reads a subdir name with glob characters literally', async () => {
    await repo.write('g*b/x.md', 'x');
    await repo.write('gab/y.md', 'y');
    const from = await repo.commit('globs');
    await repo.write('g*b/x.md', 'x2');
    await repo.write('gab/y.md', 'y2');
    const to = await repo.commit('globs changed');
    expect((await diffRaw(repo.dir, from, to, { subdir: 'g*b' })).map((c) => c.path)).toEqual(['x.md']);
  });

  it('keeps names with spaces, tabs, newlines, quotes and unicode intact', async () => {
    const names = ['with space.md', 'tab\there.md', 'new\nline.md', 'quote"d\\.md', 'ünïcødé/日本語.md', 'emoji 🚀.md'];
    const from = await repo.commit('before weird');
    for (const n of names) await repo.write(`w/${n}`, `content of ${n}`);
    const to = await repo.commit('weird');
    const changes = await diffRaw(repo.dir, from, to, { subdir: 'w' });
    expect(changes.map((c) => c.path).sort()).toEqual([...names].sort());
    expect(changes.every((c) => c.status === 'A')).toBe(true);
    await repo.rename('w/new\nline.md', 'w/still\nnew line.md');
    const to2 = await repo.commit('rename weird');
    expect(await diffRaw(repo.dir, to, to2, { subdir: 'w' })).toMatchObject([{ status: 'R', oldPath: 'new\nline.md', path: 'still\nnew line.md' }]);
  });

  it('returns nothing between a commit and itself', async () => {
    const head = await repo.git(['rev-parse', 'HEAD']);
    expect(await diffRaw(repo.dir, head, head)).toEqual([]);
  });
});

describe('parseDiffRaw', () => {
  it('treats a copy as an add of the destination', () => {
    const src = 'a'.repeat(40);
    const out = Buffer.from(`:100644 100644 ${src} ${src} C100\0orig.md\0copy.md\0`);
    expect(parseDiffRaw(out)).toEqual([{ status: 'A', path: 'copy.md', srcOid: ZERO, dstOid: src, srcMode: '000000', dstMode: '100644' }]);
  });

  it('rejects truncated output', () => {
    expect(() => parseDiffRaw(Buffer.from(`:100644 100644 ${ZERO} ${ZERO} M\0`))).toThrow(/middle of an entry/);
  });
});
