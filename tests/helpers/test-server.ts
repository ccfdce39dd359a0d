import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ApiClient } from './api-client.js';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestServer extends RunningServer {
  dataDir: string;
  admin: ApiClient;
  /** Every JSON log line the server wrote. */
  logs: Record<string, unknown>[];
  /** Creates a tenant through the admin API and returns a client holding its key. */
  newTenant(name?: string): Promise<ApiClient & { tenantId: string; apiKey: string }>;
  stop(): Promise<void>;
}

/** The real server, in this process, on a free port, over a fresh SQLite file. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vas-test-'));
  const config = loadConfig({ ADMIN_API_KEY: TEST_ADMIN_KEY, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', MODELS_AUTO_DOWNLOAD: 'false', ...env });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      done();
    },
  });
  const server = await startServer(config, createLogger(config.logLevel, sink));
  const admin = new ApiClient(server.url, env.ADMIN_API_KEY ?? TEST_ADMIN_KEY);
  return {
    ...server,
    dataDir,
    admin,
    logs,
    async newTenant(name = 'Tenant') {
      const res = await admin.post('/api/tenants', { name });
      if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return Object.assign(new ApiClient(server.url, res.body.apiKey), { tenantId: res.body.id, apiKey: res.body.apiKey });
    },
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
