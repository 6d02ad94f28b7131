import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/git/diffRaw.js';
import { planFromDiff, planFromTree } from '../../../src/core/plan.js';
import { fileSelector } from '../../../src/core/selectFiles.js';
import { checkMassDelete } from '../../../src/core/massDelete.js';

const Z = '0'.repeat(40);
const oid = (c: string) => c.repeat(40);
const change = (status: Change['status'], path: string, src: string, dst: string, oldPath?: string): Change => ({
  status, path, oldPath, srcOid: src === '' ? Z : oid(src), dstOid: dst === '' ? Z : oid(dst),
  srcMode: src === '' ? '000000' : '100644', dstMode: dst === '' ? '000000' : '100644',
});
const select = fileSelector(null);

describe('planFromDiff', () => {
  it('turns adds, modifications, deletes and renames into operations, ignoring non-markdown files', () => {
    const plan = planFromDiff(
      [
        change('A', 'new.md', '', 'a'),
        change('M', 'edit.md', 'b', 'c'),
        change('D', 'gone.md', 'd', ''),
        change('R', 'to.md', 'e', 'e', 'from.md'),
        change('A', 'image.png', '', 'f'),
      ],
      [],
      select,
      new Map(),
    );
    expect(plan.imports.map((o) => o.path)).toEqual(['new.md', 'edit.md', 'to.md']);
    expect(plan.deletes).toEqual(['gone.md']);
    expect(plan.renames).toEqual([{ from: 'from.md', to: 'to.md', oid: oid('e') }]);
  });

  it('turns a rename to a non-markdown name into a delete', () => {
    const plan = planFromDiff([change('R', 'notes.txt', 'a', 'a', 'notes.md')], [], select, new Map());
    expect(plan.deletes).toEqual(['notes.md']);
    expect(plan.renames).toEqual([]);
    expect(plan.imports).toEqual([]);
  });

  it('skips a file whose recorded failure is for the same blob, and retries a changed one', () => {
    const known = new Map([['bad.md', oid('a')], ['fixed.md', oid('b')]]);
    const plan = planFromDiff([change('M', 'bad.md', 'z', 'a'), change('M', 'fixed.md', 'b', 'c')], [], select, known);
    expect(plan.imports.map((o) => o.path)).toEqual(['fixed.md']);
    expect(plan.knownFailed).toBe(1);
  });

  it('puts paths touched only by an unfinished run back to their bookmark state', () => {
    const plan = planFromDiff(
      [change('M', 'both.md', 'a', 'b')],
      [change('A', 'added-then.md', '', 'c'), change('M', 'edited-then.md', 'd', 'e'), change('M', 'both.md', 'a', 'x')],
      select,
      new Map(),
    );
    expect(plan.deletes).toEqual(['added-then.md']);
    expect(plan.imports).toEqual([{ path: 'both.md', oid: oid('b') }, { path: 'edited-then.md', oid: oid('d') }]);
  });

  it('records symlinks as failures and drops ignored paths', () => {
    const sel = fileSelector('private/\n');
    const link: Change = { ...change('A', 'link.md', '', 'a'), dstMode: '120000' };
    const plan = planFromDiff([link, change('A', 'private/x.md', '', 'b')], [], sel, new Map());
    expect(plan.failures.map((f) => [f.path, f.code])).toEqual([['link.md', 'symlink']]);
    expect(plan.imports).toEqual([]);
  });
});

describe('planFromTree', () => {
  it('leaves pages stored at the same blob alone and pairs a deleted blob that reappears into a rename', () => {
    const stored = new Map([['same.md', oid('a')], ['old.md', oid('b')], ['gone.md', oid('c')]]);
    const tree = [
      { path: 'same.md', oid: oid('a'), mode: '100644', type: 'blob' as const },
      { path: 'moved/new.md', oid: oid('b'), mode: '100644', type: 'blob' as const },
      { path: 'fresh.md', oid: oid('d'), mode: '100644', type: 'blob' as const },
    ];
    const plan = planFromTree(tree, stored, select, new Map(), 'first sync');
    expect(plan.unchanged).toBe(1);
    expect(plan.renames).toEqual([{ from: 'old.md', to: 'moved/new.md', oid: oid('b') }]);
    expect(plan.deletes).toEqual(['gone.md']);
    expect(plan.imports.map((o) => o.path)).toEqual(['moved/new.md', 'fresh.md']);
  });
});

describe('fileSelector', () => {
  it.each([['../up.md'], ['a/../b.md'], ['./x.md'], ['a//b.md']])('refuses the escaping path %s', (path) => {
    expect(select(path, '100644')).toMatchObject({ kind: 'fail', code: 'path_escape' });
  });

  it('skips submodules and non-markdown files, takes .md and .markdown in any case', () => {
    expect(select('sub.md', '160000').kind).toBe('skip');
    expect(select('a.txt', '100644').kind).toBe('skip');
    expect(select('A.MD', '100644').kind).toBe('import');
    expect(select('b.markdown', '100755').kind).toBe('import');
  });
});

describe('checkMassDelete', () => {
  const plan = (n: number) => ({ ...planFromTree([], new Map(), select, new Map(), 'x'), deletes: Array.from({ length: n }, (_, i) => `${i}.md`) });
  it('allows small deletions and deletions of at most half', () => {
    expect(() => checkMassDelete('s', plan(50), 60)).not.toThrow();
    expect(() => checkMassDelete('s', plan(100), 200)).not.toThrow();
  });
  it('refuses more than half when above the floor, naming the count', () => {
    expect(() => checkMassDelete('s', plan(101), 200)).toThrow(/would delete 101 of its 200 pages/);
  });
});
