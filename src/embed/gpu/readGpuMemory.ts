import { spawn } from 'node:child_process';
import { parseGpuMemory, type GpuMemory } from './parseGpuMemory.js';

/** nvidia-smi answers in well under a second; a wedged driver makes it hang for minutes. */
export const NVIDIA_SMI_TIMEOUT_MS = 3_000;
const STDOUT_CAP = 64 * 1024;
const STDERR_QUOTE = 200;

export const NVIDIA_SMI_ARGS = ['--query-gpu=memory.free,memory.total', '--format=csv,noheader,nounits'];

export interface ReadGpuMemoryOptions {
  /** Default 'nvidia-smi', found on the PATH of `env`. */
  command?: string;
  /** The child's environment (and so its PATH); default this process's. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type GpuMemoryReading = { ok: true; gpus: GpuMemory[] } | { ok: false; reason: string };

/**
 * Runs nvidia-smi once and reads every GPU's free and total memory. Never throws for
 * nvidia-smi's sake: missing, failing, hanging (killed after `timeoutMs`) or printing
 * garbage all come back as `{ ok: false, reason }`, which means "size for the CPU". Only
 * the caller's signal rejects.
 */
export function readGpuMemory(opts: ReadGpuMemoryOptions = {}): Promise<GpuMemoryReading> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const command = opts.command ?? 'nvidia-smi';
  const timeoutMs = opts.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // Own process group: a wrapper script's children die with it, and none of them keeps
    // stdout open after the kill (waiting for 'close' would then wait for them).
    const child = spawn(command, NVIDIA_SMI_ARGS, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const onAbort = (): void => {
      kill();
      finish(() => reject(signal!.reason));
    };
    const timer = setTimeout(() => {
      kill();
      finish(() => resolve({ ok: false, reason: `nvidia-smi did not answer within ${timeoutMs} ms (killed)` }));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < STDOUT_CAP) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < STDERR_QUOTE) stderr += s;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'nvidia-smi not found on PATH (no NVIDIA driver installed?)' : `nvidia-smi could not start: ${err.message}`;
      finish(() => resolve({ ok: false, reason: why }));
    });
    child.on('close', (code, sig) => {
      finish(() => resolve(exitReading(code, sig, stdout, stderr)));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function exitReading(code: number | null, sig: NodeJS.Signals | null, stdout: string, stderr: string): GpuMemoryReading {
  if (code !== 0) {
    const said = (stderr.trim() || stdout.trim()).split('\n')[0].slice(0, STDERR_QUOTE);
    const how = sig ? `was killed by ${sig}` : `exited with ${code}`;
    return { ok: false, reason: `nvidia-smi ${how}${said ? `: ${said}` : ''}` };
  }
  return parseGpuMemory(stdout);
}
