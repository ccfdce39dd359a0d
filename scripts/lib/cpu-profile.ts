import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** The hottest functions of a V8 `.cpuprofile` (as `node --cpu-prof` writes), by self time. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export type HotFunction = {
  function: string;
  where: string;
  selfMs: number;
  selfPct: number;
};

/** `--cpu-prof` writes one profile per thread (the tsx loader's hooks thread too): the busiest is the server's. */
export function busiestCpuProfile(dir: string): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  return files.map((f) => ({ f, busy: hotFunctions(f, 0).totalMs * (1 - hotFunctions(f, 0).idlePct / 100) })).sort((a, b) => b.busy - a.busy)[0]?.f;
}

export function hotFunctions(file: string, top = 15): { totalMs: number; idlePct: number; functions: HotFunction[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; charge it to the node that sample hit.
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const grouped = new Map<string, HotFunction>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    if (functionName === '(idle)') idleUs += us;
    const path = url.startsWith('file://') ? relative(projectRoot, new URL(url).pathname) : url;
    const where = path ? `${path}:${lineNumber + 1}` : '';
    const key = `${functionName}|${where}`;
    const entry = grouped.get(key) ?? { function: functionName || '(anonymous)', where, selfMs: 0, selfPct: 0 };
    entry.selfMs += us / 1000;
    grouped.set(key, entry);
  }
  const busyUs = totalUs - idleUs;
  const functions = [...grouped.values()]
    .filter((f) => f.function !== '(idle)')
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), selfPct: Number(((100 * f.selfMs * 1000) / Math.max(1, busyUs)).toFixed(1)) }));
  return { totalMs: Math.round(totalUs / 1000), idlePct: Number(((100 * idleUs) / Math.max(1, totalUs)).toFixed(1)), functions };
}
