/**
 * URL pasted → agent ready, per fixture site, through the real server's API (no LLM): POST
 * /api/agents/from-url, then watch the job over server-sent events until it succeeds, while asking
 * the agent "What are your hours?" (POST /api/agents/:id/chat) until it answers with them.
 * The server runs as a child process (its own event loop, like production).
 *
 * Run: npx tsx scripts/bench-agent-creation.ts [--runs 3] [--in-process]
 * Prints a table and writes data/bench/bench-agent-creation.json. Goal: under 30 s per site.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fixtureSites, serveSite } from '../tests/helpers/static-site-server.js';
import { printTable, writeBenchJson, type Row } from './lib/bench-report.js';
import { startBenchServer } from './lib/bench-server.js';
import { summarize } from './lib/stats.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'in-process': { type: 'boolean', default: false } } });
const RUNS = Math.max(1, Number(args.runs) || 3);
const GOAL_MS = 30_000;
const SITES = ['business-casual-coffee', 'flowmaster-plumbing', 'wisdom-bites-dental'];
const STAGES = ['crawl', 'extract', 'categorize', 'configure'];
/** A reply that states opening hours ("9 AM", "7:00 PM"). */
const HOURS_ANSWER = /\b\d{1,2}(:\d{2})?\s*(AM|PM|a\.m\.|p\.m\.)/i;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const server = await startBenchServer({ CRAWL_ALLOW_PRIVATE: 'true', RATE_LIMIT_PER_MINUTE: '1000000' }, { mode: args['in-process'] ? 'in-process' : 'child' });
const call = async (key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as Json };
};

/** Reads the job's event stream to its end; `onEvent` gets each state with the ms since `t0`. */
async function watchJob(key: string, jobId: string, t0: number, onEvent: (job: Json, atMs: number) => void): Promise<Json> {
  const res = await fetch(`${server.url}/api/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5 * 60_000) });
  const decoder = new TextDecoder();
  let buffer = '';
  let last: Json = {};
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').find((l) => l.startsWith('data: '));
      if (!event.startsWith('event: job') || !data) continue;
      last = JSON.parse(data.slice(6)) as Json;
      onEvent(last, performance.now() - t0);
    }
  }
  return last;
}

interface Run {
  acceptedMs: number;
  readyMs: number;
  answerMs?: number;
  /** When each stage was first seen over SSE, ms since the POST. */
  stageSeenMs: Record<string, number>;
  /** The server's own time in each stage. */
  stageMs: Record<string, number>;
  job: Json;
  agent: Json;
  answer?: string;
}

async function createOnce(key: string, url: string): Promise<Run> {
  const t0 = performance.now();
  const started = await call(key, 'POST', '/api/agents/from-url', { url });
  if (started.status !== 202) throw new Error(`from-url answered ${started.status}: ${JSON.stringify(started.body)}`);
  const acceptedMs = performance.now() - t0;
  const { agentId, jobId } = started.body as { agentId: string; jobId: string };

  // Ask the agent about its hours until it knows them (the knowledge lands before the job ends).
  let answerMs: number | undefined;
  let answer: string | undefined;
  let done = false;
  const asking = (async () => {
    while (!done || answerMs === undefined) {
      const chat = await call(key, 'POST', `/api/agents/${agentId}/chat`, { message: 'What are your hours?' });
      if (chat.status === 200 && HOURS_ANSWER.test(String(chat.body.reply))) {
        answerMs = performance.now() - t0;
        answer = String(chat.body.reply);
        return;
      }
      if (done && answerMs === undefined) return; // the job ended and the agent still cannot answer
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const stageSeenMs: Record<string, number> = {};
  let readyMs = 0;
  const job = await watchJob(key, jobId, t0, (state, at) => {
    stageSeenMs[state.stage] ??= at;
    if (state.status === 'succeeded' || state.status === 'failed') readyMs = at;
  });
  done = true;
  await asking;
  const agent = (await call(key, 'GET', `/api/agents/${agentId}`)).body;
  const stageMs = Object.fromEntries(((job.stats?.stages ?? []) as { stage: string; ms: number }[]).map((s) => [s.stage, s.ms]));
  return { acceptedMs, readyMs, answerMs, stageSeenMs, stageMs, job, agent, answer };
}

const rows: Row[] = [];
const stageRows: Row[] = [];
const results: Json[] = [];
try {
  const tenant = await call(server.adminKey, 'POST', '/api/tenants', { name: 'Bench' });
  const key = tenant.body.apiKey as string;
  for (const name of SITES) {
    const site = await serveSite(join(fixtureSites, name));
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await createOnce(key, `${site.origin}/`));
    await site.close();

    const last = runs.at(-1)!;
    const ready = summarize(runs.map((r) => r.readyMs), 0);
    const answerable = summarize(runs.flatMap((r) => (r.answerMs === undefined ? [] : [r.answerMs])), 0);
    const accepted = summarize(runs.map((r) => r.acceptedMs), 1);
    const allOk = runs.every((r) => r.job.status === 'succeeded');
    rows.push({
      site: name,
      status: allOk ? 'succeeded' : runs.map((r) => r.job.status).join(','),
      pages: last.job.stats?.pages,
      entries: (last.job.stats?.added ?? 0) + (last.job.stats?.unchanged ?? 0),
      name: last.agent.name,
      transfer: last.agent.transferNumber ?? '–',
      '202 ms': accepted.p50,
      'ready ms p50': ready.p50,
      'ready ms max': ready.max,
      'answers hours ms p50': answerable.p50,
      [`< ${GOAL_MS / 1000} s`]: allOk && (ready.max ?? Infinity) < GOAL_MS ? 'yes' : 'NO',
    });
    stageRows.push({
      site: name,
      ...Object.fromEntries(STAGES.map((s) => [`${s} ms`, summarize(runs.map((r) => r.stageMs[s] ?? 0), 0).p50])),
      'job total ms': summarize(runs.map((r) => Number(r.job.stats?.durationMs ?? 0)), 0).p50,
    });
    results.push({
      site: name,
      runs: runs.map((r) => ({
        status: r.job.status,
        error: r.job.error,
        acceptedMs: round(r.acceptedMs),
        readyMs: round(r.readyMs),
        answerMs: r.answerMs === undefined ? null : round(r.answerMs),
        stageSeenMs: Object.fromEntries(Object.entries(r.stageSeenMs).map(([k, v]) => [k, round(v)])),
        stageMs: r.stageMs,
        pages: r.job.stats?.pages,
        agent: { name: r.agent.name, greeting: r.agent.greeting, transferNumber: r.agent.transferNumber },
        answer: r.answer,
      })),
      summary: { acceptedMs: accepted, readyMs: ready, answerMs: answerable },
    });
  }
} finally {
  await server.stop();
}

printTable(`URL → agent ready (POST /api/agents/from-url → job succeeded; no LLM; server: ${server.mode}; ${RUNS} runs each)`, rows);
printTable('Server time per stage (p50, from the job stats)', stageRows);
console.log('\n' + writeBenchJson('bench-agent-creation', { runs: RUNS, server: server.mode, goalMs: GOAL_MS, rows, stageRows, sites: results }));

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
