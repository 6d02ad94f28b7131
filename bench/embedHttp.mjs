// The http provider's own ceiling: chunks per second against a loopback server (in a child
// process, so it has its own core) that answers at once with fixed 384-dimension vectors. A
// GPU server embeds a few thousand chunks a second; the client must never be what limits it.
// Prints figures, asserts nothing. Run after `npm run build`:
//   node bench/embedHttp.mjs [--chunks 20000] [--chars 1000] [--dims 384]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const chunks = Number(opt('chunks', '20000'));
const chars = Number(opt('chars', '1000'));
const dims = Number(opt('dims', '384'));
const providerUrl = pathToFileURL(join(resolve('dist'), 'embed/http/createHttpProvider.js')).href;
const { createHttpProvider } = await import(providerUrl);

// The server: parses each request (a real server must), answers with a body prepared once per
// batch size. Vector components have 8 significant digits, about what servers print for float32.
const serverScript = `
  const { createServer } = require('node:http');
  const dims = ${dims};
  const vector = JSON.stringify(Array.from({ length: dims }, (_, i) => Number((Math.sin(i + 1) / 20).toPrecision(8))));
  const bodies = new Map();
  const bodyFor = (n) => {
    let body = bodies.get(n);
    if (!body) {
      const data = Array.from({ length: n }, (_, i) => '{"object":"embedding","index":' + i + ',"embedding":' + vector + '}');
      body = Buffer.from('{"object":"list","model":"bench","data":[' + data.join(',') + '],"usage":{"prompt_tokens":0,"total_tokens":0}}');
      bodies.set(n, body);
    }
    return body;
  };
  const server = createServer((req, res) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      if (req.url === '/info') { res.writeHead(404); res.end(); return; }
      const n = JSON.parse(Buffer.concat(parts).toString('utf8')).input.length;
      const body = bodyFor(n);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;
const child = spawn(process.execPath, ['-e', serverScript], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolvePort) => child.stdout.once('data', (d) => resolvePort(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}`;

const words = 'the server stores nightly backups of every database and restores tables from the dump'.split(' ');
const texts = Array.from({ length: chunks }, (_, i) => {
  let t = `chunk ${i}:`;
  for (let w = i; t.length < chars; w++) t += ` ${words[w % words.length]}`;
  return t.slice(0, chars);
});

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`http provider ceiling: ${chunks} chunks of ${chars} chars, ${dims}-dim answers, loopback server in a child process`);
console.log(`node ${process.version}; load average before: ${load()}`);

const results = [];
for (const batch of [32, 128]) {
  for (const concurrency of [1, 4, 8]) {
    const provider = await createHttpProvider({ url, model: 'bench', maxBatchInputs: batch, concurrency });
    await provider.embed(texts.slice(0, batch * concurrency)); // warm: sockets, JIT
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const vectors = await provider.embed(texts);
    const ms = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    if (vectors.length !== chunks || vectors[0].length !== dims) throw new Error('bench: wrong answer');
    const row = {
      batch,
      concurrency,
      chunksPerSec: Math.round(chunks / (ms / 1000)),
      clientCpuMsPer1000: ((used.user + used.system) / 1000 / (chunks / 1000)).toFixed(1),
    };
    results.push(row);
    console.log(
      `batch ${String(batch).padStart(3)}  concurrency ${concurrency}  ${String(row.chunksPerSec).padStart(7)} chunks/s  ` +
        `(client CPU ${row.clientCpuMsPer1000} ms per 1,000 chunks)`,
    );
    await provider.close();
  }
}
console.log(`load average after: ${load()}`);
child.kill();
