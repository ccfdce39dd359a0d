import type { ApiResponse } from '../../tests/helpers/api-client.js';
import type { Tenant } from './local-telephony.js';
import { summarize, type Summary } from './stats.js';

/**
 * The non-call half of the load test (scripts/load.ts): dashboard-like API traffic from several
 * tenants at a target rate (open loop: requests go out on schedule whether or not earlier ones
 * have answered, so a slow server shows up as latency, not as a lower rate), and crawl jobs
 * (POST /api/agents/from-url, watched over server-sent events to the end).
 */

/** What a tenant's traffic needs: its client, an agent with knowledge, and ids it can point at. */
export interface LoadTenant {
  client: Tenant;
  agentId: string;
  /** Knowledge entries the load may edit (a seeded scratch entry, then those it creates). */
  editable: string[];
  /** Calls of this tenant, for GET /api/calls/:id. */
  callIds: string[];
}

/** What callers ask (the STT double's transcripts) and what the API chat and search send. */
export const QUESTIONS = [
  'What are your opening hours?',
  'Do you do emergency repairs at night?',
  'How much is the call out fee?',
  'What services do you offer?',
  'Which areas do you cover?',
];
const SEARCH_TERMS = ['hours', 'emergency', 'price', 'water heater', 'leak', 'saturday', 'fee', 'county'];
const CATEGORIES = ['faq', 'services', 'policies', 'promotions', 'pricing'];

/** Knowledge every tenant's agent starts with, so calls, chat and search find real answers. */
export const SEED_KNOWLEDGE = [
  { category: 'hours', title: 'Opening hours', content: 'We are open Monday to Friday from 7 AM to 7 PM, and Saturday from 8 AM to 2 PM. Closed on Sunday.' },
  { category: 'emergency', title: 'Emergency service', content: 'Emergency plumbers are on call 24 hours a day, 7 days a week, and usually reach you within two hours.' },
  { category: 'pricing', title: 'Call-out fee', content: 'The call-out fee is 89 dollars, waived when you book the repair with us.' },
  { category: 'services', title: 'Services', content: 'We fix leaks, clogs, burst pipes, water heaters, sewer lines and garbage disposals.' },
  { category: 'service_area', title: 'Service area', content: 'We cover the whole county, including Springfield, Shelbyville and Ogdenville.' },
  { category: 'faq', title: 'Load test scratch note', content: 'This entry is edited by the load test.' },
];

export interface ApiOp {
  name: string;
  weight: number;
  run(t: LoadTenant, n: number): Promise<ApiResponse>;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** The request mix, by weight (a dashboard and an integration or two per tenant). */
export const API_MIX: ApiOp[] = [
  { name: 'GET /api/agents', weight: 15, run: (t) => t.client.get('/api/agents') },
  { name: 'GET knowledge/search', weight: 20, run: (t) => t.client.get(`/api/agents/${t.agentId}/knowledge/search?q=${encodeURIComponent(pick(SEARCH_TERMS))}`) },
  { name: 'POST chat', weight: 15, run: (t) => t.client.post(`/api/agents/${t.agentId}/chat`, { message: pick(QUESTIONS) }) },
  { name: 'GET /api/calls', weight: 10, run: (t) => t.client.get('/api/calls?limit=20') },
  {
    name: 'GET /api/calls/:id',
    weight: 15,
    run: (t) => (t.callIds.length ? t.client.get(`/api/calls/${pick(t.callIds)}`) : t.client.get('/api/calls?limit=1')),
  },
  {
    name: 'POST knowledge',
    weight: 10,
    run: async (t, n) => {
      const res = await t.client.post(`/api/agents/${t.agentId}/knowledge`, { category: pick(CATEGORIES), title: `Load note ${n}`, content: `Note ${n}: ask about our ${pick(SEARCH_TERMS)} offers.` });
      if (res.status === 201) t.editable.push(res.body.id as string);
      return res;
    },
  },
  {
    name: 'PATCH knowledge/:id',
    weight: 15,
    run: (t, n) => t.client.patch(`/api/agents/${t.agentId}/knowledge/${pick(t.editable)}`, { content: `Edited by the load test (${n}).` }),
  },
];

export interface ApiTrafficResult {
  targetRps: number;
  sent: number;
  /** Not sent because too many requests were already waiting (the client, not the server, gave up). */
  skippedClientBacklog: number;
  achievedRps: number;
  errors: number;
  errorPct: number;
  /** Responses by status (and `network` for a failed request), all ops together. */
  byStatus: Record<string, number>;
  latencyMs: Summary;
  ops: Record<string, { sent: number; errors: number; byStatus: Record<string, number>; latencyMs: Summary }>;
  /** A few error bodies, to say what went wrong. */
  errorSamples: string[];
}

/**
 * Sends the mix at `rps` until `stopAt` (performance.now() time), round-robin over tenants, and
 * resolves once every request sent has answered.
 */
export async function runApiTraffic(tenants: LoadTenant[], rps: number, stopAt: number, maxInFlight = 256): Promise<ApiTrafficResult> {
  const total = API_MIX.reduce((a, op) => a + op.weight, 0);
  const chooseOp = () => {
    let r = Math.random() * total;
    for (const op of API_MIX) if ((r -= op.weight) < 0) return op;
    return API_MIX.at(-1)!;
  };
  const perOp = new Map<string, { latency: number[]; byStatus: Record<string, number>; errors: number }>(API_MIX.map((op) => [op.name, { latency: [], byStatus: {}, errors: 0 }]));
  const inFlight = new Set<Promise<void>>();
  const errorSamples: string[] = [];
  let sent = 0;
  let skipped = 0;
  const t0 = performance.now();
  if (rps > 0) {
    for (let k = 0; ; k++) {
      const at = t0 + (k * 1000) / rps; // drift-free schedule: a late tick sends at once, it does not shift the rest
      if (at >= stopAt) break;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight.size >= maxInFlight) {
        skipped++;
        continue;
      }
      const op = chooseOp();
      const stats = perOp.get(op.name)!;
      const tenant = tenants[k % tenants.length]!;
      const n = ++sent;
      const started = performance.now();
      const p = op
        .run(tenant, n)
        .then((res) => {
          stats.latency.push(performance.now() - started);
          stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
          if (res.status >= 400) {
            stats.errors++;
            if (errorSamples.length < 10) errorSamples.push(`${op.name} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
        })
        .catch((error: unknown) => {
          stats.byStatus.network = (stats.byStatus.network ?? 0) + 1;
          stats.errors++;
          if (errorSamples.length < 10) errorSamples.push(`${op.name} → ${String((error as Error).cause ?? error)}`);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }
  const elapsedS = (Math.min(performance.now(), stopAt) - t0) / 1000;
  await Promise.all(inFlight);
  const byStatus: Record<string, number> = {};
  for (const s of perOp.values()) for (const [k, v] of Object.entries(s.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
  const errors = [...perOp.values()].reduce((a, s) => a + s.errors, 0);
  return {
    targetRps: rps,
    sent,
    skippedClientBacklog: skipped,
    achievedRps: elapsedS > 0 ? Number((sent / elapsedS).toFixed(1)) : 0,
    errors,
    errorPct: sent ? Number(((100 * errors) / sent).toFixed(2)) : 0,
    byStatus,
    latencyMs: summarize([...perOp.values()].flatMap((s) => s.latency)),
    ops: Object.fromEntries(
      [...perOp].map(([name, s]) => [name, { sent: s.latency.length + (s.byStatus.network ?? 0), errors: s.errors, byStatus: s.byStatus, latencyMs: summarize(s.latency) }]),
    ),
    errorSamples,
  };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CrawlResult {
  site: string;
  tenant: number;
  /** When it was started, s since the load began. */
  startedAtS: number;
  status: 'succeeded' | 'failed' | 'timeout' | 'refused';
  /** POST → 202. */
  acceptedMs?: number;
  /** POST → the job's last state (succeeded or failed), as the client saw it. */
  durationMs?: number;
  /** The server's own time for the job (from its stats), queueing excluded. */
  serverDurationMs?: number;
  pages?: number;
  entries?: number;
  stageMs?: Record<string, number>;
  error?: string;
}

/** Builds an agent from a (local) website and follows the job to its end, at most `timeoutMs`. */
export async function runCrawl(tenant: Tenant, tenantIndex: number, site: string, url: string, startedAtS: number, timeoutMs: number): Promise<CrawlResult> {
  const base = { site, tenant: tenantIndex, startedAtS: Number(startedAtS.toFixed(1)) };
  const t0 = performance.now();
  let started: ApiResponse;
  try {
    started = await tenant.post('/api/agents/from-url', { url });
  } catch (error) {
    return { ...base, status: 'refused', error: String(error) };
  }
  const acceptedMs = Math.round(performance.now() - t0);
  if (started.status !== 202) return { ...base, status: 'refused', acceptedMs, error: `${started.status} ${JSON.stringify(started.body).slice(0, 200)}` };
  const { jobId } = started.body as { jobId: string };
  let last: Json = {};
  try {
    const res = await fetch(`${tenant.baseUrl}/api/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${tenant.apiKey}` }, signal: AbortSignal.timeout(timeoutMs) });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        if (event.startsWith('event: job') && data) last = JSON.parse(data.slice(6)) as Json;
      }
    }
  } catch {
    // timed out (or the stream broke): the job's state says which below
  }
  if (last.status !== 'succeeded' && last.status !== 'failed') {
    const now = await tenant.get(`/api/jobs/${jobId}`).catch(() => undefined);
    if (now?.status === 200) last = now.body as Json;
  }
  const done = last.status === 'succeeded' || last.status === 'failed';
  return {
    ...base,
    status: done ? (last.status as 'succeeded' | 'failed') : 'timeout',
    acceptedMs,
    durationMs: done ? Math.round(performance.now() - t0) : undefined,
    serverDurationMs: last.stats?.durationMs,
    pages: last.stats?.pages,
    entries: last.stats ? (last.stats.added ?? 0) + (last.stats.unchanged ?? 0) : undefined,
    stageMs: Object.fromEntries(((last.stats?.stages ?? []) as { stage: string; ms: number }[]).map((s) => [s.stage, s.ms])),
    error: last.error ?? (done ? undefined : `still ${last.status ?? 'unknown'} at ${last.stage ?? '?'} after ${timeoutMs} ms`),
  };
}
