import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/paths.js';

export interface ChildServer {
  process: ChildProcess;
  url: string;
  port: number;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Runs `src/main.ts` as its own process (as `npm start` does), for restarts, crashes and signals. */
export function runServerProcess(env: Record<string, string>): { process: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', MODELS_AUTO_DOWNLOAD: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { process: child, stdout, stderr, exited };
}

export async function startServerProcess(env: Record<string, string>, timeoutMs = 45_000): Promise<ChildServer> {
  const run = runServerProcess(env);
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (port === undefined) {
    if (Date.now() > deadline) {
      // Not left running: nobody else holds this child, and an orphan server slows every later test.
      run.process.kill('SIGKILL');
      throw new Error('server did not start:\n' + [...run.stdout, ...run.stderr].join('\n'));
    }
    if (run.process.exitCode !== null) throw new Error('server exited:\n' + [...run.stdout, ...run.stderr].join('\n'));
    for (const line of run.stdout) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { event?: string; port?: number };
      if (entry.event === 'server.listening') port = entry.port;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    ...run,
    port,
    url: `http://127.0.0.1:${port}`,
    async kill(signal) {
      if (run.process.exitCode === null) run.process.kill(signal);
      return run.exited;
    },
  };
}
