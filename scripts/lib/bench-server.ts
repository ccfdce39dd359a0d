import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { projectRoot } from '../../src/paths.js';
import { startServer } from '../../src/server.js';
import { installServerProbe, probeReset, probeSnapshot, type ProbeSnapshot } from './server-probe.js';

/**
 * The real server for benchmarks, on 127.0.0.1 with a fresh data dir: as a child process (its
 * own event loop and CPU accounting, like production; the default) or in this process (what
 * the tests do: simpler, but the simulated callers then share its event loop and cores).
 */
export interface BenchServer {
  mode: 'child' | 'in-process';
  url: string;
  pid: number;
  adminKey: string;
  /** Every JSON log line the server wrote. */
  logs: Record<string, unknown>[];
  probeReset(): Promise<ProbeSnapshot>;
  probe(): Promise<ProbeSnapshot>;
  stop(): Promise<void>;
}

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const PROBE = fileURLToPath(new URL('./server-probe.ts', import.meta.url));

export async function startBenchServer(env: Record<string, string>, options: { mode: 'child' | 'in-process'; cpuProfDir?: string }): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vas-bench-'));
  const serverEnv = { ADMIN_API_KEY: ADMIN_KEY, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', MODELS_AUTO_DOWNLOAD: 'false', ...env };
  const logs: Record<string, unknown>[] = [];
  const parse = (line: string) => {
    if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  };

  if (options.mode === 'in-process') {
    installServerProbe();
    const sink = new Writable({ write: (chunk, _e, done) => (String(chunk).split('\n').forEach(parse), done()) });
    const config = loadConfig(serverEnv);
    const server = await startServer(config, createLogger(config.logLevel, sink));
    return {
      mode: 'in-process', url: server.url, pid: process.pid, adminKey: ADMIN_KEY, logs,
      probeReset: async () => (probeReset(), probeSnapshot()),
      probe: async () => probeSnapshot(),
      stop: async () => (await server.close(), rmSync(dataDir, { recursive: true, force: true })),
    };
  }

  const prof = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', '--import', PROBE, 'src/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', VAS_SERVER_PROBE: 'ipc', ...serverEnv },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', parse);
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = once(child, 'exit');
  process.once('exit', () => child.kill('SIGKILL')); // never leave a server behind if this process fails
  const ask = (message: string) =>
    new Promise<ProbeSnapshot>((resolve) => {
      child.once('message', (m) => resolve((m as { probe: ProbeSnapshot }).probe));
      child.send(message);
    });

  const deadline = Date.now() + 30_000;
  let port: number | undefined;
  while (port === undefined) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('server did not start:\n' + stderr.join('\n'));
    port = logs.find((l) => l.event === 'server.listening')?.port as number | undefined;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    mode: 'child', url: `http://127.0.0.1:${port}`, pid: child.pid!, adminKey: ADMIN_KEY, logs,
    probeReset: () => ask('probe:reset'),
    probe: () => ask('probe:snapshot'),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds per thread name (Linux /proc): shows whether the JS main thread is the bottleneck. */
export function threadCpuSeconds(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in USER_HZ (100/s)
      const key = Number(tid) === pid ? 'main (JS)' : name;
      out[key] = (out[key] ?? 0) + ticks / 100;
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

export function diffCpu(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Number((v - (before[k] ?? 0)).toFixed(2))]).filter(([, v]) => (v as number) > 0));
}

/**
 * Whole-machine CPU seconds so far (all cores, Linux /proc/stat): over a window, minus the
 * server's and the simulator's own, it shows how much other work (another build, a browser)
 * shared the cores, which a benchmark on a shared 2-core machine must report next to its numbers.
 */
export function machineCpuSeconds(): { busy: number; total: number } {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const v = fields.map(Number); // user nice system idle iowait irq softirq steal …
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return { busy: 0, total: 0 };
  }
}
