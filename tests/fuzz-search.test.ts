/**
 * Query syntax as input: knowledge search (`GET /api/agents/:id/knowledge/search`) and the chat
 * API (`POST /api/agents/:id/chat`, the offline answerer searching the same index) fed SQL and
 * FTS5 syntax (quotes, `*`, `NEAR(`, `OR`, `AND NOT`, `-`, `^`, `:`, column filters,
 * `'; DROP TABLE`, unbalanced parentheses), unicode, null bytes and 10k-character inputs.
 * Always 200 or 400 with a clear error, never 500; never another tenant's entries; the tables
 * and the full-text index intact afterwards. Seeded: a failure prints FUZZ_SEED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFtsQuery } from '../src/db/queries/knowledge.js';
import { ASCII, NASTY, withSeed, type Rng } from './helpers/fuzz.js';
import { watchHostPerTest } from './helpers/host-load.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;

const WORDS = ['hours', 'open', 'saturday', 'price', 'drain', 'cleaning', 'emergency', 'parking', 'insurance', 'water', 'heater', 'café', 'naïve', 'zürich', 'straße'];
/** URL-encodes anything, lone surrogates included (as U+FFFD, as a browser would send them). */
const encode = (text: string) => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));
/** Only Bob's knowledge has this word: it must never reach Alice. */
const SECRET = 'zebracornsecret';
const host = watchHostPerTest();

describe('query syntax fuzz', () => {
  let server: TestServer;
  let alice: Tenant;
  let bob: Tenant;
  let aliceAgent: string;
  let bobAgent: string;
  const aliceEntries = new Set<string>();
  let tablesBefore: string[];
  let countsBefore: Record<string, number>;

  const sqlite = () => server.services.database.sqlite;
  const tables = () => (sqlite().prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index') ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  const counts = () => Object.fromEntries(['tenants', 'agents', 'knowledge_entries', 'api_keys', 'caller_messages'].map((t) => [t, (sqlite().prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
    alice = await server.newTenant('Alice Plumbing');
    bob = await server.newTenant('Bob Dental');
    aliceAgent = (await alice.post('/api/agents', { name: 'Alice desk' })).body.id;
    bobAgent = (await bob.post('/api/agents', { name: 'Bob desk' })).body.id;
    const entries: [string, string, string][] = [
      ['hours', 'Opening hours', 'We are open Monday to Saturday, eight to six. Closed on Sunday.'],
      ['pricing', 'Drain cleaning', 'Drain cleaning costs 95 dollars; emergency call-outs cost 150 dollars.'],
      ['faq', 'Do you take insurance?', 'Yes, we work with most home insurance companies.'],
      ['faq', 'Parking "NEAR" the shop', "Free parking behind the building: it's title: content: OR AND NOT * ^ - (yes)."],
      ['services', 'Water heaters', 'We replace and repair water heaters, café owners and naïve DIYers welcome, from Zürich to the Straße.'],
    ];
    for (const [category, title, content] of entries) {
      const res = await alice.post(`/api/agents/${aliceAgent}/knowledge`, { category, title, content });
      expect(res.status).toBe(201);
      aliceEntries.add(res.body.id);
    }
    for (const content of [`Our ${SECRET} whitening costs 300 dollars`, `Opening hours for ${SECRET}: always open`, `Drain cleaning ${SECRET} parking insurance`]) {
      expect((await bob.post(`/api/agents/${bobAgent}/knowledge`, { category: 'faq', title: `Bob ${SECRET}`, content })).status).toBe(201);
    }
    tablesBefore = tables();
    countsBefore = counts();
  });
  afterAll(() => server?.stop());

  /** A hostile query: words, syntax, unicode and control characters, of any length. */
  const randomQuery = (rng: Rng): string => {
    const pieces = [...NASTY, ...WORDS, ...WORDS.map((w) => w.toUpperCase()), SECRET, 'NEAR(', 'NEAR(hours price, 2)', '"hours', 'hours"', '*', 'hours*', '-price', '^open', 'title:hours', 'content:', 'knowledge_fts:', 'rowid:1', '{title}:x', '(((', ')))', 'OR OR', 'AND', 'NOT', "'", '\0', '\\x00', '%', '_', ' '];
    const shape = rng.int(0, 9);
    if (shape === 0) return rng.string(rng.int(1, 10_000), ASCII);
    if (shape === 1) return rng.string(rng.int(400, 600), pieces);
    if (shape === 2) return rng.pick(pieces).repeat(rng.int(1, 2000));
    if (shape === 3) return String.fromCodePoint(...Array.from({ length: rng.int(1, 50) }, () => rng.int(0, 0x10ffff)).filter((c) => c < 0xd800 || c > 0xdfff));
    return rng.some(pieces, 1, 30).join(rng.pick([' ', '', '\t', '\n']));
  };

  it('toFtsQuery makes every input a query FTS5 accepts (2,000 random inputs against the real index)', async () => {
    await withSeed('toFtsQuery', (rng) => {
      const match = sqlite().prepare('SELECT count(*) AS n FROM knowledge_fts WHERE knowledge_fts MATCH ?');
      for (let i = 0; i < 2000; i++) {
        const input = randomQuery(rng);
        const query = toFtsQuery(input);
        if (query === undefined) {
          expect((input.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).length, JSON.stringify(input.slice(0, 200))).toBe(0);
          continue;
        }
        // Only quoted words joined by OR: no operator, column filter or stray quote survives.
        expect(query, JSON.stringify(input.slice(0, 200))).toMatch(/^"[\p{L}\p{N}]+"( OR "[\p{L}\p{N}]+")*$/u);
        expect(query.split(' OR ').length).toBeLessThanOrEqual(32);
        expect(() => match.get(query), `${JSON.stringify(input.slice(0, 200))} → ${query}`).not.toThrow();
      }
    });
  });

  it('answers hostile searches with 200 or a clear 400, never 500, and only with the caller\'s own entries', async () => {
    await withSeed('search', async (rng) => {
      const statuses: Record<number, number> = {};
      for (let i = 0; i < 250; i++) {
        const q = randomQuery(rng);
        const limit = rng.pick([undefined, '1', '5', '50', '0', '51', '-1', 'abc', '1e309', '5abc', ' 5', '0x10', '5.5', '']);
        let path = `/api/agents/${aliceAgent}/knowledge/search?q=${encode(q)}${limit === undefined ? '' : `&limit=${encode(limit)}`}`;
        // Now and then, raw query strings no browser would send.
        if (rng.bool(0.1)) path = `/api/agents/${aliceAgent}/knowledge/search?${rng.pick(['q=%E0%A4%A', 'q=%00', 'q=%', 'q=a&q=b', 'q[]=a', 'q[a]=b', 'q', '&&&', 'q=%FF%FE', `q=${'%22'.repeat(3000)}`])}`;
        const res = await alice.get(path);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const context = `${path.slice(0, 300)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        // Node's HTTP parser answers 431 for a request line over its 16 KB header limit.
        if (path.length > 16_000 && res.status === 431) continue;
        expect([200, 400], context).toContain(res.status);
        if (res.status === 400) {
          expect(res.body.error.code, context).toBe('validation_failed');
          expect(res.body.error.message, context).toMatch(/^(q|limit): /);
          continue;
        }
        expect(Array.isArray(res.body.results), context).toBe(true);
        for (const hit of res.body.results) {
          expect(aliceEntries.has(hit.id), context).toBe(true);
          expect(JSON.stringify(hit), context).not.toContain(SECRET);
          expect(Number.isFinite(hit.score), context).toBe(true);
        }
      }
      expect(statuses[200]).toBeGreaterThan(50);
      expect(statuses[400]).toBeGreaterThan(5);
    });
  });

  it('still finds by plain words after all that, and syntax in a query is only words', async () => {
    const find = async (q: string) => (await alice.get(`/api/agents/${aliceAgent}/knowledge/search?q=${encodeURIComponent(q)}`)).body.results.map((r: { title: string }) => r.title);
    expect(await find('drain cleaning')).toContain('Drain cleaning');
    expect(await find('"drain')).toContain('Drain cleaning');
    expect(await find('title:drain')).toContain('Drain cleaning'); // "title" and "drain" as words
    expect(await find('NEAR(drain cleaning)')).toContain('Drain cleaning');
    expect(await find('-drain')).toContain('Drain cleaning'); // not a NOT
    expect(await find('Zürich')).toContain('Water heaters');
    expect(await find('zurich')).toContain('Water heaters'); // diacritics folded by the index
    expect(await find(`${SECRET} whitening`)).toEqual([]);
    expect(await find("'; DROP TABLE knowledge_entries; --")).toEqual([]);
  });

  it('answers hostile chat messages with 200 or a clear 400, never 500, quickly, from the caller\'s own knowledge only', async () => {
    await withSeed('chat', async (rng) => {
      const statuses: Record<number, number> = {};
      let conversationId: string | undefined;
      for (let i = 0; i < 120; i++) {
        const body: Record<string, unknown> = rng.pick<() => Record<string, unknown>>([
          () => ({ message: randomQuery(rng).slice(0, rng.bool(0.8) ? 2000 : 12_000) }),
          () => ({ message: `${rng.pick(['what are your', 'how much is', 'do you do', 'can I', 'are you open'])} ${randomQuery(rng).slice(0, 300)}` }),
          () => ({ message: randomQuery(rng).slice(0, 200), conversationId: rng.pick([conversationId, rng.string(rng.int(0, 80), NASTY), 'x'.repeat(64), undefined]) }),
          () => ({ message: rng.json(3) }),
          () => ({ message: rng.pick(['', '   ', '\0', '\u200b', '\n\t']) }),
          () => ({ message: 'hello', extra: rng.json(2) }),
          () => ({ message: `${SECRET} ${rng.pick(WORDS)}` }),
        ])();
        const started = performance.now();
        const res = await alice.post(`/api/agents/${aliceAgent}/chat`, body);
        const ms = performance.now() - started;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const context = `${JSON.stringify(body).slice(0, 300)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        expect([200, 400], context).toContain(res.status);
        expect(ms, `${context} (${host.describe()})`).toBeLessThan(host.allow(3000));
        if (res.status === 400) {
          expect(res.body.error.code, context).toBe('validation_failed');
          expect(res.body.error.message, context).toMatch(/^(message|conversationId|\(body\)): /);
          continue;
        }
        expect(typeof res.body.reply, context).toBe('string');
        expect(res.body.reply.length, context).toBeGreaterThan(0);
        // The answerer may repeat the caller's own words, never Bob's knowledge.
        const said = JSON.stringify(body).toLowerCase();
        for (const bobs of [SECRET, 'whitening costs', 'always open', '300 dollars']) if (!said.includes(bobs)) expect(res.body.reply.toLowerCase(), context).not.toContain(bobs);
        for (const source of res.body.sources) expect(aliceEntries.has(source.id), context).toBe(true);
        conversationId = res.body.conversationId;
      }
      expect(statuses[200]).toBeGreaterThan(30);
      expect(server.logs.filter((l) => l.msg === 'unhandled error' || l.event === 'brain.offline_failed')).toEqual([]);
    });
  });

  it('answers searches and chats for another tenant\'s agent with 404, whatever the query', async () => {
    await withSeed('cross-tenant', async (rng) => {
      for (let i = 0; i < 20; i++) {
        const q = randomQuery(rng).slice(0, 400) || 'x';
        expect((await alice.get(`/api/agents/${bobAgent}/knowledge/search?q=${encode(q)}`)).status).toBe(404);
        expect((await alice.post(`/api/agents/${bobAgent}/chat`, { message: q })).status).toBe(404);
      }
      // Agent ids made of syntax: 404 (or 400), never 500.
      for (const id of ["' OR '1'='1", '%00', '..%2f..%2f', encodeURIComponent("x'; DROP TABLE agents; --"), '%E0%A4%A', 'a'.repeat(5000), '*']) {
        const res = await alice.get(`/api/agents/${id}/knowledge/search?q=hours`);
        expect([400, 404], id).toContain(res.status);
        expect(res.body.error.code).toBeDefined();
        expect(JSON.stringify(res.body)).not.toContain('DROP TABLE');
      }
    });
  });

  it('leaves the tables, the full-text index and every row intact', () => {
    expect(tables()).toEqual(tablesBefore);
    expect(counts()).toEqual(countsBefore);
    expect(sqlite().pragma('integrity_check', { simple: true })).toBe('ok');
    // FTS5's own consistency check against its content table: throws if the index is corrupt.
    expect(() => sqlite().prepare(`INSERT INTO knowledge_fts(knowledge_fts, rank) VALUES ('integrity-check', 1)`).run()).not.toThrow();
    expect(server.logs.filter((l) => l.msg === 'unhandled error')).toEqual([]);
  });
});
