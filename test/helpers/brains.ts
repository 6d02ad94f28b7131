import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type { Db } from '../../src/db/Db.js';
import { openDb } from '../../src/db/openDb.js';
import { resolveDbTarget, type DbTarget } from '../../src/db/target.js';

export type BackendName = 'pglite' | 'postgres';

export interface TestBrain {
  target: DbTarget;
  /** What --db takes for this brain. */
  arg: string;
}

let counter = 0;

/** PGLite brains this test file made (a 39 MB copy each): removed after the file, so runs never fill the disk. */
const madeDirs: string[] = [];
afterAll(async () => {
  await Promise.all(madeDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** The backends the integration suite runs against; Postgres only when the harness has one. */
export function backends(): BackendName[] {
  return inject('pgAdminUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A fresh brain for one test: a copy of the migrated PGLite template, or a new Postgres
 * database cloned from the migrated template database. `empty` skips the schema.
 */
export async function freshBrain(backend: BackendName, opts: { empty?: boolean } = {}): Promise<TestBrain> {
  if (backend === 'pglite') {
    const parent = await mkdtemp(join(tmpdir(), 'brainsync-brain-'));
    madeDirs.push(parent);
    const dir = join(parent, 'brain');
    if (!opts.empty) await cp(inject('pgliteTemplate'), dir, { recursive: true });
    return { target: resolveDbTarget({ flag: dir, env: {} }), arg: dir };
  }
  const admin = inject('pgAdminUrl');
  if (!admin) throw new Error('no Postgres server for the tests');
  const name = `brainsync_test_${process.pid}_${++counter}`;
  await adminQuery(admin, `create database ${name}${opts.empty ? '' : ' template brainsync_test_template'}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { target: resolveDbTarget({ flag: url.toString(), env: {} }), arg: url.toString() };
}

export async function openTestDb(brain: TestBrain, opts: { create?: boolean; vector?: boolean } = {}): Promise<Db> {
  assertTestDatabase(brain.target);
  return openDb(brain.target, { create: opts.create ?? true, maxConnections: 12, vector: opts.vector });
}

/** Destructive tests only ever run against a database whose name says it is for tests. */
export function assertTestDatabase(target: DbTarget): void {
  if (target.kind !== 'postgres') return;
  const name = new URL(target.url).pathname.slice(1);
  if (!name.includes('test')) {
    throw new Error(`refusing to run destructive tests against database "${name}": its name must contain "test"`);
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  // Two CREATE DATABASE ... TEMPLATE at once can collide ("source database is being accessed"): retry.
  for (let attempt = 0; ; attempt++) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
      return;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
    } finally {
      await c.end();
    }
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}
