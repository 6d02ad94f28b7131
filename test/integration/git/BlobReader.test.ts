import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobReader } from '../../../src/git/BlobReader.js';
import { GitError, GitObjectMissingError } from '../../../src/git/GitError.js';
import { lsTree } from '../../../src/git/lsTree.js';
import { createRepo, type TestRepo } from '../../helpers/gitRepo.js';

let repo: TestRepo;
const blobs = new Map<string, Buffer>(); // oid → content
let bigOid: string;
let smallOid: string;
const BIG = 300 * 1024;

/** Content i: sizes from 0 bytes to ~150 KB, so answers straddle pipe chunks in every way. */
function content(i: number): Buffer {
  const size = i % 50 === 0 ? 150_000 + i : (i * 37) % 3000;
  const b = Buffer.alloc(size);
  for (let j = 0; j < size; j++) b[j] = (i * 31 + j) & 0xff; // binary, includes \n and \0
  return b;
}

beforeAll(async () => {
  repo = await createRepo();
  const byPath = new Map<string, Buffer>();
  for (let i = 0; i < 500; i++) {
    const c = content(i);
    byPath.set(`b/${i}.bin`, c);
    await repo.write(`b/${i}.bin`, c);
  }
  await repo.write('big.bin', Buffer.alloc(BIG, 'x'));
  await repo.write('small.md', 'small after big\n');
  const commit = await repo.commit('blobs');
  for (const e of (await lsTree(repo.dir, commit))!) {
    if (e.path === 'big.bin') bigOid = e.oid;
    else if (e.path === 'small.md') smallOid = e.oid;
    else blobs.set(e.oid, byPath.get(e.path)!);
  }
});
afterAll(() => repo.cleanup());

describe('BlobReader', () => {
  it('answers 500 concurrent reads in order with the right bytes', async () => {
    const reader = await BlobReader.open(repo.dir);
    try {
      const oids = [...blobs.keys()];
      const results = await Promise.all(oids.map((oid) => reader.read(oid, 1_000_000)));
      results.forEach((r, i) => {
        expect(r.oid).toBe(oids[i]);
        expect(r.type).toBe('blob');
        expect(r.size).toBe(blobs.get(oids[i])!.length);
        expect(r.content!.equals(blobs.get(oids[i])!)).toBe(true);
      });
    } finally {
      await reader.close();
    }
  });

  it('drains a blob over maxBytes without keeping it, and the next read is still correct', async () => {
    const reader = await BlobReader.open(repo.dir);
    try {
      const [big, small, bigAgain] = await Promise.all([
        reader.read(bigOid, 1024),
        reader.read(smallOid, 1024),
        reader.read(bigOid, BIG),
      ]);
      expect(big).toEqual({ oid: bigOid, type: 'blob', size: BIG, content: null });
      expect(small.content!.toString()).toBe('small after big\n');
      expect(bigAgain.content!.length).toBe(BIG);
    } finally {
      await reader.close();
    }
  });

  it('rejects only the read of a missing object', async () => {
    const reader = await BlobReader.open(repo.dir);
    try {
      const missing = '1234567890123456789012345678901234567890';
      const [a, b, c] = await Promise.allSettled([
        reader.read(smallOid, 100),
        reader.read(missing, 100),
        reader.read(smallOid, 100),
      ]);
      expect(a.status).toBe('fulfilled');
      expect(b.status === 'rejected' && b.reason).toBeInstanceOf(GitObjectMissingError);
      expect(c.status === 'fulfilled' && c.value.content!.toString()).toBe('small after big\n');
      await expect(reader.read('not-an-oid', 100)).rejects.toBeInstanceOf(GitError);
    } finally {
      await reader.close();
    }
  });

  it('rejects every pending read with the reason when the signal aborts, and later reads too', async () => {
    const ac = new AbortController();
    const reader = await BlobReader.open(repo.dir, { signal: ac.signal });
    const reads = Array.from({ length: 200 }, () => reader.read(bigOid, BIG));
    const reason = new Error('stopped');
    ac.abort(reason);
    const settled = await Promise.allSettled(reads);
    expect(settled.every((s) => s.status === 'rejected' && s.reason === reason)).toBe(true);
    await expect(reader.read(smallOid, 100)).rejects.toBe(reason);
    await reader.close();
  });

  it('rejects pending reads with a GitError when git dies', async () => {
    const reader = await BlobReader.open(repo.dir);
    const reads = Array.from({ length: 50 }, () => reader.read(bigOid, BIG));
    (reader as unknown as { git: { child: { kill(s: string): void } } }).git.child.kill('SIGKILL');
    const settled = await Promise.allSettled(reads);
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(GitError);
    await expect(reader.read(smallOid, 100)).rejects.toBeInstanceOf(GitError);
  });

  it('lets pending reads finish on close and refuses reads after it', async () => {
    const reader = await BlobReader.open(repo.dir);
    const pending = reader.read(smallOid, 100);
    await reader.close();
    expect((await pending).content!.toString()).toBe('small after big\n');
    await expect(reader.read(smallOid, 100)).rejects.toBeInstanceOf(GitError);
  });

  it('fails to open outside a repository only when reading, with a GitError', async () => {
    const reader = await BlobReader.open('/');
    await expect(reader.read(smallOid, 100)).rejects.toBeInstanceOf(GitError);
    await reader.close();
  });
});

describe('BlobReader lookups by path', () => {
  it('reads commit:path (spaces included), answers null for a missing path, and tells whether an object exists', async () => {
    const r = await createRepo();
    await r.write('dir/with space.md', 'hello');
    const head = await r.commit('one');
    const reader = await BlobReader.open(r.dir);
    try {
      expect((await reader.readAtPath(head, 'dir/with space.md', 100))?.content?.toString()).toBe('hello');
      expect(await reader.readAtPath(head, 'no such file.md', 100)).toBeNull();
      expect(await reader.has(head)).toBe(true);
      expect(await reader.has('f'.repeat(40))).toBe(false);
      // the reader is still usable after the misses
      expect((await reader.readAtPath(head, 'dir/with space.md', 100))?.size).toBe(5);
    } finally {
      await reader.close();
      await r.cleanup();
    }
  });
});
