/** CPU time the hypervisor took from this machine ("steal"), from /proc/stat; no steal elsewhere. */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  steal: number;
  total: number;
}

export function cpuTimes(): CpuTimes | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, total };
  } catch {
    return undefined; // not Linux: no steal to account for
  }
}

/** Fraction of CPU time the hypervisor took from this machine between two samples. */
export function stealBetween(from: CpuTimes | undefined, to: CpuTimes | undefined): number {
  if (!from || !to || to.total <= from.total) return 0;
  return Math.min(0.95, Math.max(0, (to.steal - from.steal) / (to.total - from.total)));
}
