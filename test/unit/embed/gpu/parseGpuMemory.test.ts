import { describe, expect, it } from 'vitest';
import { parseGpuMemory, physicalGpuIndex } from '../../../../src/embed/gpu/parseGpuMemory.js';

describe('parseGpuMemory', () => {
  it('reads one "free, total" line per GPU, in index order', () => {
    expect(parseGpuMemory('81037, 81559\n1200, 81559\n')).toEqual({
      ok: true,
      gpus: [
        { index: 0, freeMiB: 81037, totalMiB: 81559 },
        { index: 1, freeMiB: 1200, totalMiB: 81559 },
      ],
    });
  });

  it('tolerates CRLF, blank lines and spaces around the numbers', () => {
    expect(parseGpuMemory('\r\n  143771 ,  143771  \r\n\r\n')).toEqual({ ok: true, gpus: [{ index: 0, freeMiB: 143771, totalMiB: 143771 }] });
  });

  it.each([
    ['', /printed no GPU/],
    ['\n  \n', /printed no GPU/],
    ['[N/A], [N/A]\n', /unexpected line "\[N\/A\], \[N\/A\]"/],
    ['[Not Supported], 81559', /unexpected line/],
    ['No devices were found', /unexpected line "No devices were found"/],
    ['81037 MiB, 81559 MiB', /unexpected line/],
    ['81037, 81559, 3', /unexpected line/],
    ['-5, 81559', /unexpected line/],
    ['1.5, 81559', /unexpected line/],
    ['90000, 81559', /unexpected line/],
    ['0, 0', /unexpected line/],
    ['99999999999999999999, 99999999999999999999', /unexpected line/],
  ])('rejects the whole output when any line is not two whole numbers: %j', (stdout, reason) => {
    const parsed = parseGpuMemory(stdout);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('does not trust a good line followed by a bad one', () => {
    expect(parseGpuMemory('81037, 81559\nGPU 1: Unknown Error\n').ok).toBe(false);
  });

  it('quotes at most 80 characters of garbage', () => {
    const parsed = parseGpuMemory('x'.repeat(10_000));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason.length).toBeLessThan(200);
  });
});

describe('physicalGpuIndex', () => {
  it('is the device id itself without CUDA_VISIBLE_DEVICES', () => {
    expect(physicalGpuIndex(0)).toBe(0);
    expect(physicalGpuIndex(3)).toBe(3);
  });

  it('follows CUDA_VISIBLE_DEVICES renumbering', () => {
    expect(physicalGpuIndex(0, '2,3')).toBe(2);
    expect(physicalGpuIndex(1, ' 2 , 3 ')).toBe(3);
  });

  it('gives up on UUIDs, MIG names, an empty list or a device past the list', () => {
    expect(physicalGpuIndex(0, 'GPU-8f6c1b52-5d3a-4c9e-9f0a-1a2b3c4d5e6f')).toBeNull();
    expect(physicalGpuIndex(0, 'MIG-GPU-8f6c1b52/1/0')).toBeNull();
    expect(physicalGpuIndex(0, '')).toBeNull();
    expect(physicalGpuIndex(2, '0,1')).toBeNull();
  });
});
