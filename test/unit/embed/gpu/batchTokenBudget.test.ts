import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/errors.js';
import { batchTokenBudget, type BatchTokenBudgetOptions } from '../../../../src/embed/gpu/batchTokenBudget.js';
import { CPU_BATCH_TOKENS, MAX_GPU_BATCH_TOKENS } from '../../../../src/embed/gpu/gpuBatchTokens.js';
import { NVIDIA_SMI_ARGS, readGpuMemory } from '../../../../src/embed/gpu/readGpuMemory.js';

// Each case writes a real `nvidia-smi` shell script into its own directory and puts that
// directory first on the child's PATH, so the production code spawns it as it would the real one.
const root = mkdtempSync(join(tmpdir(), 'brainsync-nvsmi-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let cases = 0;

function fakeNvidiaSmi(body: string): { env: NodeJS.ProcessEnv; file: (name: string) => string } {
  const dir = join(root, `case-${++cases}`);
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  // The script records its arguments, then does what the case needs.
  writeFileSync(join(bin, 'nvidia-smi'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/args'\n${body}\n`);
  chmodSync(join(bin, 'nvidia-smi'), 0o755);
  return { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, file: (name) => join(dir, name) };
}

const MiB = 1024 * 1024;
const miniLm = { bytes: 90 * MiB, maxSequenceTokens: 256, hiddenSize: 384 };
// The production timeout (3 s) unless a case needs a short one: a loaded CI machine can take
// a while to start a shell.
const budget = (env: NodeJS.ProcessEnv, extra: Partial<BatchTokenBudgetOptions> = {}, timeoutMs?: number) =>
  batchTokenBudget({ model: miniLm, nvidiaSmi: { env, timeoutMs }, ...extra });

/** Running, as opposed to gone or a zombie (killed, waiting for a parent that may never reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('batchTokenBudget with a fake nvidia-smi on PATH', () => {
  it('asks nvidia-smi for free and total memory as CSV without units', async () => {
    const fake = fakeNvidiaSmi(`echo '20000, 81559'`);
    const b = await budget(fake.env);
    expect(readFileSync(fake.file('args'), 'utf8').trim().split('\n')).toEqual(NVIDIA_SMI_ARGS);
    expect(NVIDIA_SMI_ARGS).toEqual(['--query-gpu=memory.free,memory.total', '--format=csv,noheader,nounits']);
    expect(b.basis).toBe('gpu');
    expect(b.reason).toMatch(/^GPU 0: 20000 of 81559 MiB free, \d+ MiB usable at ~48 KiB per token: \d+ tokens per batch$/);
  });

  it('sizes from the free memory of the GPU the provider uses, among several', async () => {
    const fake = fakeNvidiaSmi(`echo '81000, 81559'; echo '3000, 81559'; echo '81000, 81559'`);
    const gpu0 = await budget(fake.env);
    const gpu1 = await budget(fake.env, { deviceId: 1 });
    expect(gpu0).toMatchObject({ basis: 'gpu', gpuIndex: 0, tokens: MAX_GPU_BATCH_TOKENS });
    expect(gpu1).toMatchObject({ basis: 'gpu', gpuIndex: 1 });
    expect(gpu1.tokens).toBeLessThan(gpu0.tokens);
    expect(gpu1.reason).toContain('GPU 1: 3000 of 81559 MiB free');
    // CUDA_VISIBLE_DEVICES=1 makes physical GPU 1 the provider's device 0.
    expect(await budget(fake.env, { cudaVisibleDevices: '1' })).toMatchObject({ gpuIndex: 1, tokens: gpu1.tokens });
  });

  it('never sizes from total memory: a full GPU gives the CPU default, with the figures', async () => {
    const fake = fakeNvidiaSmi(`echo '300, 81559'`);
    expect(await budget(fake.env)).toEqual({
      tokens: CPU_BATCH_TOKENS,
      basis: 'cpu',
      reason: `GPU 0: only 300 MiB free; the model needs about 783 MiB free for one 256-token sequence; CPU batch size of ${CPU_BATCH_TOKENS} tokens`,
    });
  });

  it('falls back to the CPU when the device is not in the list', async () => {
    const fake = fakeNvidiaSmi(`echo '81000, 81559'`);
    expect(await budget(fake.env, { deviceId: 2 })).toMatchObject({ basis: 'cpu', reason: expect.stringMatching(/^nvidia-smi lists 1 GPU\(s\), none with index 2;/) });
    expect(await budget(fake.env, { cudaVisibleDevices: 'GPU-8f6c1b52' })).toMatchObject({ basis: 'cpu', reason: expect.stringContaining('CUDA_VISIBLE_DEVICES') });
  });

  it.each([
    ['garbage', `echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'`, /^nvidia-smi printed an unexpected line "NVIDIA-SMI has failed/],
    ['[N/A] values', `echo '[N/A], [N/A]'`, /unexpected line "\[N\/A\], \[N\/A\]"/],
    ['nothing', `true`, /^nvidia-smi printed no GPU/],
    ['a non-zero exit', `echo 'No devices were found' >&2; exit 6`, /^nvidia-smi exited with 6: No devices were found;/],
    ['a crash', `kill -SEGV $$`, /^nvidia-smi was killed by SIGSEGV;/],
  ])('falls back to the CPU when nvidia-smi prints %s', async (_, body, reason) => {
    const b = await budget(fakeNvidiaSmi(body).env);
    expect(b).toMatchObject({ tokens: CPU_BATCH_TOKENS, basis: 'cpu' });
    expect(b.reason).toMatch(reason);
  });

  it('falls back to the CPU when nvidia-smi is not on PATH', async () => {
    const empty = join(root, 'empty-path');
    mkdirSync(empty);
    const b = await budget({ ...process.env, PATH: empty });
    expect(b).toMatchObject({ basis: 'cpu', reason: expect.stringMatching(/^nvidia-smi not found on PATH/) });
  });

  it('kills a hanging nvidia-smi, and what it started, after the timeout', async () => {
    const fake = fakeNvidiaSmi(`echo $$ > '${root}/hang.pid'; sleep 30 & echo $! > '${root}/hang-child.pid'; wait`);
    const started = Date.now();
    const b = await budget(fake.env, {}, 500);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(b).toMatchObject({ basis: 'cpu', reason: expect.stringMatching(/^nvidia-smi did not answer within 500 ms \(killed\);/) });
    const pids = ['hang.pid', 'hang-child.pid'].map((f) => Number(readFileSync(join(root, f), 'utf8')));
    await expect.poll(() => pids.filter(alive), { timeout: 2_000 }).toEqual([]);
  });

  it('does not wait for a child that keeps stdout open after printing', async () => {
    const fake = fakeNvidiaSmi(`echo '20000, 81559'; sleep 30 &`);
    const b = await budget(fake.env, {}, 500);
    // The output was complete, but nvidia-smi's stdout never closed: treated as a hang.
    expect(b.basis).toBe('cpu');
    expect(b.reason).toMatch(/did not answer/);
  });

  it('lets --embed-batch-tokens win without running nvidia-smi', async () => {
    const fake = fakeNvidiaSmi(`echo '20000, 81559'`);
    expect(await budget(fake.env, { override: 5000 })).toEqual({ tokens: 5000, basis: 'override', reason: '--embed-batch-tokens 5000' });
    expect(existsSync(fake.file('args'))).toBe(false);
    await expect(budget(fake.env, { override: 0 })).rejects.toThrow(UsageError);
    await expect(budget(fake.env, { override: 1.5 })).rejects.toThrow(/whole number/);
  });

  it('rejects with the signal’s reason and kills nvidia-smi when the run is stopped', async () => {
    const fake = fakeNvidiaSmi(`echo $$ > '${root}/abort.pid'; exec sleep 30`);
    const controller = new AbortController();
    const reading = readGpuMemory({ env: fake.env, timeoutMs: 10_000, signal: controller.signal });
    await expect.poll(() => existsSync(join(root, 'abort.pid'))).toBe(true);
    controller.abort(new Error('budget spent'));
    await expect(reading).rejects.toThrow('budget spent');
    const pid = Number(readFileSync(join(root, 'abort.pid'), 'utf8'));
    await expect.poll(() => alive(pid), { timeout: 2_000 }).toBe(false);
  });
});
