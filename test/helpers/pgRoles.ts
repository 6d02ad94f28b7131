import pg from 'pg';
import type { TestBrain } from './brains.js';

/** A login role of the test server, and the brain's URL as that role would give it. */
export interface TestRole {
  name: string;
  password: string;
  url: string;
}

const made: Array<{ name: string; adminUrl: string }> = [];
let counter = 0;

/**
 * Creates a login role on the brain's server (as the brain's superuser) and runs `grants`
 * (SQL naming the role as `$role`) in the brain's database. A new role has only what PUBLIC
 * has: CONNECT, and since Postgres 15 no CREATE on schema public.
 */
export async function createRole(brain: TestBrain, grants: string[] = []): Promise<TestRole> {
  if (brain.target.kind !== 'postgres') throw new Error('createRole needs a Postgres brain');
  const adminUrl = brain.target.url;
  const name = `brainsync_test_role_${process.pid}_${++counter}`;
  const password = `role-secret-${counter}`;
  await asAdmin(adminUrl, async (c) => {
    await c.query(`create role ${name} login password '${password}'`);
    made.push({ name, adminUrl });
    for (const grant of grants) await c.query(grant.replaceAll('$role', name));
  });
  const url = new URL(adminUrl);
  url.username = name;
  url.password = password;
  return { name, password, url: url.toString() };
}

/** For afterAll: drops the roles createRole made (and the rights they were given). */
export async function dropRoles(): Promise<void> {
  for (const { name, adminUrl } of made.splice(0)) {
    await asAdmin(adminUrl, async (c) => {
      await c.query(`drop owned by ${name}`);
      await c.query(`drop role ${name}`);
    }).catch(() => {});
  }
}

async function asAdmin(url: string, fn: (c: pg.Client) => Promise<void>): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await fn(c);
  } finally {
    await c.end();
  }
}
