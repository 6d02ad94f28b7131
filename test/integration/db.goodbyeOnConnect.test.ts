import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isConnectionError } from '../../src/db/connectionErrors.js';
import { openPostgresDb } from '../../src/db/postgresDb.js';

// When a Postgres server shuts down, a backend that has just finished its start-up sends
// ReadyForQuery and then, often in the same TCP segment, FATAL 57P01 ("terminating connection
// due to administrator command"). pg parses both in one go: the pool hands the client out on
// ReadyForQuery and the goodbye arrives before the caller's code has run. A real server
// cannot be made to hit that window on demand, so this loopback server sends exactly those
// bytes, together, to every connection.

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const authenticationOk = message('R', Buffer.from([0, 0, 0, 0]));
const readyForQuery = message('Z', Buffer.from('I', 'latin1'));
const adminShutdown = message(
  'E',
  Buffer.concat([
    ...['SFATAL', 'VFATAL', 'C57P01', 'Mterminating connection due to administrator command'].map((f) => Buffer.from(`${f}\0`, 'latin1')),
    Buffer.from([0]),
  ]),
);

/** Answers every start-up with AuthenticationOk, ReadyForQuery and the shutdown FATAL in one write, then closes. */
function shuttingDownServer(): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections++;
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.end(Buffer.concat([authenticationOk, readyForQuery, adminShutdown]));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `postgres://brainsync@127.0.0.1:${port}/brain`, connections: () => connections });
    });
  });
}

let open: Server | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
});

// An unheard 'error' event on a pg client would crash this test process (vitest reports it as
// an unhandled error and fails the run), as it crashed `brainsync sync` in the heavy cron test
// when the database was stopped under a wave.
describe('a server that says goodbye in the same packet as ReadyForQuery', () => {
  it('gives the caller a connection error instead of crashing the process', async () => {
    const fake = await shuttingDownServer();
    open = fake.server;
    const outcome = await openPostgresDb(fake.url, 'fake').then(
      async (db) => {
        try {
          return await db.query('select 1').then(() => null, (e: unknown) => e);
        } finally {
          await db.close();
        }
      },
      (e: unknown) => e,
    );
    expect(isConnectionError(outcome), String(outcome)).toBe(true);
    expect(fake.connections()).toBeGreaterThan(0);
  });
});
