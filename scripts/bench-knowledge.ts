/**
 * URL → knowledge base ready, per fixture site, through the real server's API (no LLM):
 * POST /api/agents/:id/recrawl until the job succeeds. Run: npx tsx scripts/bench-knowledge.ts [--runs 3]
 * Prints a table and writes data/bench/knowledge.json. Goal: under 20 s per site.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { fixtureSites, serveSite } from '../tests/helpers/static-site-server.js';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 3) : 3;
const ADMIN = 'bench-admin-key-0123456789abcdef';

const dataDir = mkdtempSync(join(tmpdir(), 'vas-bench-kb-'));
const server = await startServer(
  loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN, CRAWL_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' }),
  createLogger('warn'),
);
const call = async (key: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return res.json() as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const rows: Row[] = [];
try {
  const { apiKey } = await call(ADMIN, 'POST', '/api/tenants', { name: 'Bench' });
  for (const name of ['business-casual-coffee', 'flowmaster-plumbing', 'wisdom-bites-dental']) {
    const site = await serveSite(join(fixtureSites, name));
    const times: number[] = [];
    let last: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    let categoriesFilled = 0;
    for (let run = 0; run < RUNS; run++) {
      const agent = await call(apiKey, 'POST', '/api/agents', { name: `${name} ${run}`, websiteUrl: `${site.origin}/` });
      const started = performance.now();
      const { jobId } = await call(apiKey, 'POST', `/api/agents/${agent.id}/recrawl`);
      for (;;) {
        last = await call(apiKey, 'GET', `/api/jobs/${jobId}`);
        if (last.status === 'succeeded' || last.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      times.push(performance.now() - started);
      const kb = await call(apiKey, 'GET', `/api/agents/${agent.id}/knowledge`);
      categoriesFilled = Object.values(kb.categories as Record<string, unknown[]>).filter((list) => list.length > 0).length;
    }
    await site.close();
    const sorted = [...times].sort((a, b) => a - b);
    rows.push({
      site: name,
      status: last.status,
      pages: last.stats?.pages,
      entries: last.stats?.added + last.stats?.unchanged,
      conflicts: last.stats?.conflicts?.length,
      categories: `${categoriesFilled}/18`,
      'median ms': Math.round(sorted[Math.floor(sorted.length / 2)]!),
      'best ms': Math.round(sorted[0]!),
    });
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
printTable(`URL → knowledge base ready (through the API, no LLM, ${RUNS} runs each)`, rows);
console.log('\n' + writeBenchJson('knowledge', { runs: RUNS, rows }));
