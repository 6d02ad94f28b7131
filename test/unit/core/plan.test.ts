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

  it('deletes no page for files that were not pages, so removing 60 images passes the mass-delete guard', () => {
    const images = Array.from({ length: 60 }, (_, i) => change('D', `assets/${i}.png`, 'a', ''));
    const plan = planFromDiff(images, [], select, new Map());
    expect(plan.deletes).toEqual([]);
    expect(() => checkMassDelete('s', plan.deletes.length, 10)).not.toThrow();
  });

  it('turns a rename from a non-markdown name into an import, and one to a non-markdown name into a delete', () => {
    const plan = planFromDiff(
      [change('R', 'b.md', 'a', 'a', 'a.png'), change('R', 'c.txt', 'b', 'b', 'c.md')],
      [],
      select,
      new Map(),
    );
    expect(plan.imports).toEqual([{ path: 'b.md', oid: oid('a') }]);
    expect(plan.deletes).toEqual(['c.md']);
    expect(plan.renames).toEqual([]);
  });

  it('deletes the page of a file that became a symlink or a submodule, and records the symlink', () => {
    const toLink: Change = { ...change('T', 'was.md', 'a', 'b'), dstMode: '120000' };
    const toSubmodule: Change = { ...change('T', 'sub.md', 'c', 'd'), dstMode: '160000' };
    const plan = planFromDiff([toLink, toSubmodule], [], select, new Map([['was.md', oid('z')]]));
    expect(plan.deletes).toEqual(['was.md', 'sub.md']);
    expect(plan.failures.map((f) => [f.path, f.code])).toEqual([['was.md', 'symlink']]);
    expect(plan.clearFailures).toEqual([]);
  });

  it('deletes no page for a removed symlink, and clears its failure', () => {
    const link: Change = { ...change('D', 'link.md', 'a', ''), srcMode: '120000' };
    const plan = planFromDiff([link], [], select, new Map([['link.md', oid('a')]]));
    expect(plan.deletes).toEqual([]);
    expect(plan.clearFailures).toEqual(['link.md']);
  });

  it('clears the recorded failure of a renamed file under its old path', () => {
    const plan = planFromDiff([change('R', 'fixed.md', 'a', 'b', 'broken.md')], [], select, new Map([['broken.md', oid('a')]]));
    expect(plan.renames).toEqual([{ from: 'broken.md', to: 'fixed.md', oid: oid('b') }]);
    expect(plan.clearFailures).toEqual(['broken.md']);
  });

  it('deletes no page for an image that an unfinished run added', () => {
    const plan = planFromDiff([], [change('A', 'pic.png', '', 'a'), change('A', 'page.md', '', 'b')], select, new Map());
    expect(plan.deletes).toEqual(['page.md']);
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

describe('paths that are not UTF-8', () => {
  // decodeGitPath keeps byte 0xHH that is not UTF-8 as U+DC00 + 0xHH.
  const e9 = 'caf\udce9-name.md';
  const e8 = 'caf\udce8-name.md';

  it('records two such files as two bad_path failures under their \\xHH display names', () => {
    const plan = planFromDiff([change('A', e9, '', 'a'), change('A', e8, '', 'b')], [], select, new Map());
    expect(plan.imports).toEqual([]);
    expect(plan.failures.map((f) => [f.path, f.code])).toEqual([
      ['caf\\xe9-name.md', 'bad_path'],
      ['caf\\xe8-name.md', 'bad_path'],
    ]);
    expect(plan.failures[0].message).toMatch(/not valid UTF-8.*Rename it to a UTF-8 name/);
  });

  it('knows a recorded failure by its display name, and a delete only clears it, touching no page', () => {
    const known = new Map([['caf\\xe9-name.md', oid('a')]]);
    const same = planFromDiff([change('M', e9, 'z', 'a')], [], select, known);
    expect(same.knownFailed).toBe(1);
    expect(same.failures).toEqual([]);
    const gone = planFromDiff([change('D', e9, 'a', ''), change('R', 'moved.md', 'b', 'b', e8)], [], select, known);
    expect(gone.deletes).toEqual([]);
    expect(gone.renames).toEqual([]);
    expect(gone.imports.map((o) => o.path)).toEqual(['moved.md']);
    expect(gone.clearFailures).toEqual(['caf\\xe9-name.md']);
  });

  it('never deletes a stored page whose name is the display form in a full compare', () => {
    const literal = 'caf\\xe9-name.md';
    const tree = [
      { path: literal, oid: oid('a'), mode: '100644', type: 'blob' as const },
      { path: e9, oid: oid('b'), mode: '100644', type: 'blob' as const },
    ];
    const plan = planFromTree(tree, new Map([[literal, oid('a')]]), select, new Map(), 'full');
    expect(plan.deletes).toEqual([]);
    expect(plan.unchanged).toBe(1);
    expect(plan.failures.map((f) => [f.path, f.code])).toEqual([[literal, 'bad_path']]);
  });

  it('keeps lone surrogates out of every path a plan stores or prints', () => {
    const plan = planFromDiff(
      [change('A', e9, '', 'a'), change('D', e8, 'b', ''), change('R', `dir\udcff/x.md`, 'c', 'c', 'old.md')],
      [],
      select,
      new Map([['caf\\xe8-name.md', oid('b')]]),
    );
    const paths = [...plan.deletes, ...plan.renames.flatMap((r) => [r.from, r.to]), ...plan.imports.map((o) => o.path),
      ...plan.failures.map((f) => f.path), ...plan.clearFailures];
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path).not.toMatch(/\p{Cs}/u);
  });
});

describe('fileSelector', () => {
  it.each([['../up.md'], ['a/../b.md'], ['./x.md'], ['a//b.md']])('refuses the escaping path %s', (path) => {
    expect(select(path, '100644')).toMatchObject({ kind: 'fail', code: 'path_escape' });
  });

  it('takes a backslash as an ordinary character of a POSIX path', () => {
    expect(select('back\\slash.md', '100644').kind).toBe('import');
    expect(select('dir\\..\\x.md', '100644').kind).toBe('import');
  });

  it('skips submodules and non-markdown files, takes .md and .markdown in any case', () => {
    expect(select('sub.md', '160000').kind).toBe('skip');
    expect(select('a.txt', '100644').kind).toBe('skip');
    expect(select('A.MD', '100644').kind).toBe('import');
    expect(select('b.markdown', '100755').kind).toBe('import');
  });
});

describe('planFromTree, pages the filters no longer select', () => {
  const blob = (path: string, c: string, mode = '100644') => ({ path, oid: oid(c), mode, type: 'blob' as const });

  it('deletes stored pages that are now ignored, and pages whose file became a symlink', () => {
    const stored = new Map([['keep.md', oid('a')], ['private/a.md', oid('b')], ['private/b.md', oid('c')], ['link.md', oid('d')]]);
    const tree = [blob('keep.md', 'a'), blob('private/a.md', 'b'), blob('private/b.md', 'c'), blob('link.md', 'e', '120000')];
    const plan = planFromTree(tree, stored, fileSelector('private/\n'), new Map([['private/b.md', oid('x')]]), '--full');
    expect(plan.unchanged).toBe(1);
    expect(plan.deletes.sort()).toEqual(['link.md', 'private/a.md', 'private/b.md']);
    expect(plan.failures.map((f) => [f.path, f.code])).toEqual([['link.md', 'symlink']]);
    expect(plan.clearFailures).toEqual(['private/b.md']);
    expect(plan.imports).toEqual([]);
  });

  it('keeps a stored page whose file has a known parse failure at the same blob', () => {
    const plan = planFromTree([blob('bad.md', 'a')], new Map([['bad.md', oid('z')]]), select, new Map([['bad.md', oid('a')]]), '--full');
    expect(plan.deletes).toEqual([]);
    expect(plan.knownFailed).toBe(1);
  });

  it('moves a page that is now ignored to an identical file that is not, as a rename', () => {
    const plan = planFromTree(
      [blob('private/a.md', 'a'), blob('public/a.md', 'a')],
      new Map([['private/a.md', oid('a')]]),
      fileSelector('private/\n'),
      new Map(),
      '--full',
    );
    expect(plan.renames).toEqual([{ from: 'private/a.md', to: 'public/a.md', oid: oid('a') }]);
    expect(plan.deletes).toEqual([]);
  });
});

describe('checkMassDelete', () => {
  it('allows small deletions and deletions of at most half', () => {
    expect(() => checkMassDelete('s', 50, 60)).not.toThrow();
    expect(() => checkMassDelete('s', 100, 200)).not.toThrow();
  });
  it('refuses more than half when above the floor, naming the count', () => {
    expect(() => checkMassDelete('s', 101, 200)).toThrow(/would delete 101 of its 200 pages/);
  });
});
