import { GitError, GitObjectMissingError, gitFailure } from './GitError.js';
import { spawnGit, type GitChild } from './spawnGit.js';

export interface BlobReadResult {
  oid: string;
  /** blob, tree, commit or tag, as git reports it. */
  type: string;
  size: number;
  /** Null when size > maxBytes: the bytes were read off the pipe and dropped. */
  content: Buffer | null;
}

interface Pending {
  oid: string;
  maxBytes: number;
  resolve: (r: BlobReadResult) => void;
  reject: (err: unknown) => void;
}

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ARGS = ['cat-file', '--batch'];

/**
 * One long-lived `git cat-file --batch` per run. Reads are pipelined: every `read` writes a
 * request line at once and the answers, which git sends in request order, are matched to a
 * FIFO of pending reads. The stdout parser is a small state machine (header line, then
 * `size + 1` bytes of body), so headers and bodies may be split anywhere between chunks.
 */
export class BlobReader {
  private readonly queue: Pending[] = [];
  private head = 0;
  private outgoing: string[] = [];
  private flushScheduled = false;
  private headerParts: Buffer[] = [];
  private current: Pending | null = null;
  private currentHeader: { oid: string; type: string; size: number } | null = null;
  private body: Buffer | null = null;
  private bodyWritten = 0;
  private bodyLeft = 0;
  private failure: unknown = null;
  private closing: Promise<void> | null = null;

  private constructor(private readonly git: GitChild) {
    git.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    git.exited.then(
      (exit) => this.fail(exit.exitCode !== 0
        ? gitFailure(ARGS, exit.exitCode, exit.signal, exit.stderr)
        : new GitError(`git cat-file --batch ended${this.pendingCount() > 0 ? ' while reads were pending' : ''}`, ARGS, 0, exit.stderr)),
      (err: unknown) => this.fail(err),
    );
  }

  /** Starts the reader; with a signal, aborting kills git and rejects every pending read with its reason. */
  static async open(repo: string, opts: { signal?: AbortSignal } = {}): Promise<BlobReader> {
    const git = spawnGit(repo, ARGS, { signal: opts.signal, stdin: 'pipe' });
    const reader = new BlobReader(git);
    const { signal } = opts;
    if (signal) {
      // Pending reads fail at once; the child itself is killed by spawnGit.
      const onAbort = (): void => reader.fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      git.exited.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    }
    await new Promise<void>((resolve, reject) => {
      git.child.once('spawn', resolve);
      git.exited.catch(reject); // could not start, or aborted before it did
    });
    return reader;
  }

  read(oid: string, maxBytes: number): Promise<BlobReadResult> {
    if (!OID.test(oid)) return Promise.reject(new GitError(`BlobReader: ${JSON.stringify(oid)} is not an object id`, ARGS, null, ''));
    return this.request(oid, maxBytes);
  }

  /**
   * The object named `commit:path` (a file as committed), or null when the path does not
   * exist there. Saves a git process per lookup; a path containing a newline cannot travel
   * on the batch protocol and is refused.
   */
  async readAtPath(commit: string, path: string, maxBytes: number): Promise<BlobReadResult | null> {
    if (!OID.test(commit) || path.includes('\n') || path === '') {
      throw new GitError(`BlobReader: cannot look up ${JSON.stringify(`${commit}:${path}`)}`, ARGS, null, '');
    }
    try {
      return await this.request(`${commit}:${path}`, maxBytes);
    } catch (err) {
      if (err instanceof GitObjectMissingError) return null;
      throw err;
    }
  }

  /** Whether an object exists (a bookmark commit may have been garbage-collected). */
  async has(oid: string): Promise<boolean> {
    try {
      await this.read(oid, 0);
      return true;
    } catch (err) {
      if (err instanceof GitObjectMissingError) return false;
      throw err;
    }
  }

  private request(oid: string, maxBytes: number): Promise<BlobReadResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new GitError('BlobReader.read after close()', ARGS, null, ''));
    return new Promise<BlobReadResult>((resolve, reject) => {
      this.queue.push({ oid, maxBytes, resolve, reject });
      this.outgoing.push(oid);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // One write per tick instead of one per read: 10,000 reads, a handful of syscalls.
        process.nextTick(() => this.flush());
      }
    });
  }

  /** Lets pending reads finish, then ends git. Never rejects: it is meant for finally blocks. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      this.git.stdin!.end();
      await this.git.exited.catch(() => {});
    })();
    return this.closing;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outgoing.length === 0 || this.failure !== null) return;
    const text = this.outgoing.join('\n') + '\n';
    this.outgoing = [];
    this.git.stdin!.write(text);
  }

  private pendingCount(): number {
    return this.queue.length - this.head + (this.current ? 1 : 0);
  }

  private shift(): Pending | undefined {
    const p = this.queue[this.head];
    if (p === undefined) return undefined;
    this.queue[this.head++] = undefined as unknown as Pending;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return p;
  }

  private onData(chunk: Buffer): void {
    if (this.failure !== null) return;
    try {
      let pos = 0;
      while (pos < chunk.length) {
        if (this.bodyLeft > 0) pos = this.consumeBody(chunk, pos);
        else pos = this.consumeHeader(chunk, pos);
      }
    } catch (err) {
      this.fail(err);
      this.git.child.kill('SIGKILL');
    }
  }

  private consumeHeader(chunk: Buffer, pos: number): number {
    const nl = chunk.indexOf(10, pos);
    if (nl === -1) {
      this.headerParts.push(chunk.subarray(pos));
      return chunk.length;
    }
    let line: string;
    if (this.headerParts.length > 0) {
      line = Buffer.concat([...this.headerParts, chunk.subarray(pos, nl)]).toString('latin1');
      this.headerParts = [];
    } else {
      line = chunk.toString('latin1', pos, nl);
    }
    this.onHeader(line);
    return nl + 1;
  }

  private onHeader(line: string): void {
    const p = this.shift();
    if (!p) throw new GitError(`git cat-file --batch: unexpected output ${JSON.stringify(line.slice(0, 80))}`, ARGS, null, '');
    const parts = line.split(' ');
    // "<request> missing": the request may be `commit:path`, and a path may hold spaces.
    if (line.endsWith(' missing') || line.endsWith(' ambiguous')) {
      p.reject(new GitObjectMissingError(p.oid, ARGS));
      return;
    }
    const size = Number(parts[2]);
    if (parts.length !== 3 || !Number.isSafeInteger(size) || size < 0) {
      throw new GitError(`git cat-file --batch: bad header ${JSON.stringify(line.slice(0, 80))}`, ARGS, null, '');
    }
    this.current = p;
    this.currentHeader = { oid: parts[0], type: parts[1], size };
    this.body = size <= p.maxBytes ? Buffer.allocUnsafe(size) : null;
    this.bodyWritten = 0;
    this.bodyLeft = size + 1; // the body is followed by a LF
  }

  private consumeBody(chunk: Buffer, pos: number): number {
    const take = Math.min(this.bodyLeft, chunk.length - pos);
    if (this.body) {
      const n = Math.min(take, this.body.length - this.bodyWritten);
      if (n > 0) chunk.copy(this.body, this.bodyWritten, pos, pos + n);
      this.bodyWritten += n;
    }
    this.bodyLeft -= take;
    if (this.bodyLeft === 0) {
      const p = this.current!;
      const h = this.currentHeader!;
      const content = this.body;
      this.current = null;
      this.currentHeader = null;
      this.body = null;
      p.resolve({ oid: h.oid, type: h.type, size: h.size, content });
    }
    return pos + take;
  }

  /** Rejects everything pending and everything asked later with `err`. */
  private fail(err: unknown): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.current?.reject(err);
    this.current = null;
    for (let p = this.shift(); p; p = this.shift()) p.reject(err);
  }
}
