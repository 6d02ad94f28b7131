/** Memory of one GPU as nvidia-smi reports it, in MiB. `index` is the line's position (nvidia-smi's index). */
export interface GpuMemory {
  index: number;
  freeMiB: number;
  totalMiB: number;
}

export type ParsedGpuMemory = { ok: true; gpus: GpuMemory[] } | { ok: false; reason: string };

/** Longest piece of unexpected output quoted back in a reason. */
const QUOTE_CHARS = 80;

/**
 * Parses `nvidia-smi --query-gpu=memory.free,memory.total --format=csv,noheader,nounits`:
 * one line per GPU, "free, total" in MiB, in nvidia-smi's index order. Anything else — no
 * line, a line that is not two whole numbers ("[N/A]", "[Not Supported]", an error text),
 * free above total — makes the whole output untrusted: sizing from a misread number could
 * run the GPU out of memory, while CPU sizing is only slower.
 */
export function parseGpuMemory(stdout: string): ParsedGpuMemory {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length === 0) return { ok: false, reason: 'nvidia-smi printed no GPU' };
  const gpus: GpuMemory[] = [];
  for (const [index, line] of lines.entries()) {
    const m = /^(\d+)\s*,\s*(\d+)$/.exec(line);
    const freeMiB = m ? Number(m[1]) : NaN;
    const totalMiB = m ? Number(m[2]) : NaN;
    if (!m || !Number.isSafeInteger(freeMiB) || !Number.isSafeInteger(totalMiB) || totalMiB === 0 || freeMiB > totalMiB) {
      return { ok: false, reason: `nvidia-smi printed an unexpected line ${JSON.stringify(quote(line))} (expected "free, total" in MiB)` };
    }
    gpus.push({ index, freeMiB, totalMiB });
  }
  return { ok: true, gpus };
}

function quote(s: string): string {
  return s.length > QUOTE_CHARS ? `${s.slice(0, QUOTE_CHARS)}…` : s;
}

/**
 * nvidia-smi's index of the GPU a CUDA program sees as `deviceId`. CUDA_VISIBLE_DEVICES
 * renumbers devices ("2,3" makes GPU 2 device 0); entries given as UUIDs or MIG names cannot be
 * mapped to nvidia-smi's list from this query, so the answer is null (size for the CPU).
 */
export function physicalGpuIndex(deviceId: number, cudaVisibleDevices?: string): number | null {
  if (cudaVisibleDevices === undefined) return deviceId;
  const entries = cudaVisibleDevices.split(',').map((s) => s.trim());
  const entry = entries[deviceId];
  if (entry === undefined || !/^\d+$/.test(entry)) return null;
  return Number(entry);
}
