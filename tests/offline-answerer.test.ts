/**
 * The offline answerer against real knowledge: each fixture site is served, crawled, extracted
 * and synced into a real SQLite database the way production builds an agent's knowledge, then
 * asked what callers ask (as speech-to-text writes it: lower case, no punctuation, "um").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrainAction, ConversationTurn } from '../src/brain/brain.js';
import { OfflineBrain } from '../src/brain/offline/offline-brain.js';
import type { KnowledgeLookup } from '../src/brain/offline/knowledge-lookup.js';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { tenantQueries } from '../src/db/queries/tenants.js';
import { tenantScope } from '../src/db/tenant-scope.js';
import { crawlSite } from '../src/knowledge/crawler/index.js';
import { extractFacts } from '../src/knowledge/extract/index.js';
import { syncCrawledKnowledge } from '../src/knowledge/knowledge-sync.js';
import { fixtureSites, serveSite } from './helpers/static-site-server.js';

type Site = 'business-casual-coffee' | 'flowmaster-plumbing' | 'wisdom-bites-dental';
interface Built {
  lookup: KnowledgeLookup;
  agentId: string;
}

let dir: string;
let database: DatabaseHandle;
let tenantId: string;
const built = {} as Record<Site, Built>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vas-offline-'));
  database = openDatabase(join(dir, 'agent.sqlite'));
  tenantId = tenantQueries(database.db).create('Agency').id;
  const scope = tenantScope(database.db, tenantId);
  for (const site of ['business-casual-coffee', 'flowmaster-plumbing', 'wisdom-bites-dental'] as const) {
    const server = await serveSite(join(fixtureSites, site));
    try {
      const crawl = await crawlSite(`${server.origin}/`, { allowPrivate: true });
      const agent = scope.agents.create({ name: site, websiteUrl: `${server.origin}/` });
      syncCrawledKnowledge(database, scope, agent.id, crawl.pages.flatMap((page) => extractFacts(page)));
      built[site] = {
        agentId: agent.id,
        lookup: { search: (q, limit = 5) => scope.knowledge.search(agent.id, q, limit), byCategory: (c) => scope.knowledge.list(agent.id, c) },
      };
    } finally {
      await server.close();
    }
  }
}, 60_000);

afterAll(() => {
  database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Options {
  transferNumber?: string | null;
  history?: ConversationTurn[];
  messages?: unknown[];
  signal?: AbortSignal;
}

/** A Saturday at noon, so "today" is fixed. */
const SATURDAY = new Date(2025, 5, 7, 12, 0, 0);

async function ask(site: Site, question: string, o: Options = {}) {
  const { lookup, agentId } = built[site];
  const brain = new OfflineBrain({ lookup, now: () => SATURDAY, takeMessage: (m) => o.messages?.push(m) });
  const actions: BrainAction[] = [];
  const context = { callId: 'call-1', tenantId, agent: { id: agentId, name: 'the business', greeting: null, transferNumber: o.transferNumber ?? null }, history: o.history ?? [] };
  for await (const action of brain.respond(question, context, o.signal ?? new AbortController().signal)) actions.push(action);
  const said = actions.flatMap((a) => (a.type === 'say' ? [a.text] : []));
  return { actions, said, text: said.join(' '), kinds: actions.map((a) => a.type).filter((t) => t !== 'sources') };
}

const HONEST = /^I'm not sure about that\. I can take a message and have someone get back to you\.$/;

describe('coffee shop', () => {
  it('answers the hours, for the week and for the day asked about', async () => {
    expect((await ask('business-casual-coffee', 'what time do you open on saturday')).text).toBe("On Saturday we're open 9 AM to 5 PM.");
    expect((await ask('business-casual-coffee', 'um are you open on sunday')).text).toBe("On Sunday we're closed.");
    expect((await ask('business-casual-coffee', 'what are your hours')).text).toBe("We're open Monday to Friday 7 AM to 8 PM; Saturday 9 AM to 5 PM; closed Sunday.");
    expect((await ask('business-casual-coffee', 'are you open today')).text).toBe("Today is Saturday, and we're open 9 AM to 5 PM.");
    expect((await ask('business-casual-coffee', 'are you open on thanksgiving')).text).toMatch(/^I don't have holiday hours on file\. Our regular hours are Monday to Friday/);
  });

  it('gives the address, phone number and founding year in spoken form', async () => {
    expect((await ask('business-casual-coffee', 'where are you located')).text).toBe("We're at 11 16 Orchard Street, Golden Valley, Minnesota.");
    expect((await ask('business-casual-coffee', 'whats your phone number')).text).toBe('Our phone number is 3 1 7, 5 8 5, 8 4 6 8.');
    expect((await ask('business-casual-coffee', 'how long have you been around')).text).toContain('1987');
  });

  it('describes what it sells from its own pages', async () => {
    expect((await ask('business-casual-coffee', 'what do you sell')).text).toMatch(/coffees and teas/i);
    expect((await ask('business-casual-coffee', 'do you sell tea')).text).toMatch(/^Yes, we have coffees and teas\. .*herbal tea/);
  });
});

describe('dental clinic', () => {
  it('says both schedules when its pages disagree, and the day when they agree', async () => {
    const week = (await ask('wisdom-bites-dental', 'what are your hours')).said;
    expect(week[0]).toBe('Our website lists more than one set of hours.');
    expect(week.join(' ')).toContain('Monday to Friday 9 AM to 8 PM');
    expect(week.join(' ')).toContain('Monday to Friday 9 AM to 6 PM');
    expect((await ask('wisdom-bites-dental', 'are you open on sunday')).text).toBe("On Sunday we're closed.");
    expect((await ask('wisdom-bites-dental', 'what time do you open on saturday')).text).toMatch(/one page of our website says 9 AM to 6 PM, and another says 10 AM to 3 PM/);
  });

  it('gives the phone number and address the site backs up, not the stray ones', async () => {
    const phone = (await ask('wisdom-bites-dental', 'whats your phone number')).text;
    expect(phone).toBe('Our phone number is 5 5 5, 1 2 3, 4 5 6 7.');
    expect((await ask('wisdom-bites-dental', 'where are you located')).text).toBe("We're at 1 23 Dental Avenue, Smile City, SC 1 2 3 4 5.");
    expect((await ask('wisdom-bites-dental', 'how long have you been in business')).text).toContain('2010');
  });

  it('answers insurance, checkups, emergencies, cancellations and whitening from the FAQ', async () => {
    expect((await ask('wisdom-bites-dental', 'do you take my insurance')).text).toMatch(/We accept most major dental insurance plans.*Delta Dental/);
    expect((await ask('wisdom-bites-dental', 'uh how often should i get a checkup')).text).toMatch(/every six months/);
    const emergency = await ask('wisdom-bites-dental', 'what should i do in a dental emergency');
    // Two FAQ pages answer this nearly alike; either one will do (bm25 statistics span every agent in the file).
    expect(emergency.text).toMatch(/dental emergency.* immediately at 5 5 5, 1 2 3, 4 5 6 7/);
    expect((await ask('wisdom-bites-dental', 'i have a really bad toothache can you see me today')).text).toMatch(/toothache|pain/i);
    expect((await ask('wisdom-bites-dental', 'whats your cancellation policy')).text).toMatch(/24 hours' notice for cancellations/);
    expect((await ask('wisdom-bites-dental', 'do you do teeth whitening')).text).toMatch(/^Yes, we offer both in-office professional teeth whitening/);
    expect((await ask('wisdom-bites-dental', 'is there parking')).text).toMatch(/free parking/);
    expect((await ask('wisdom-bites-dental', 'does anyone speak spanish')).text).toBe('Staff speak English and Spanish.');
  });

  it('offers a transfer on an emergency when it can, and makes it on "yes"', async () => {
    const first = await ask('wisdom-bites-dental', 'what should i do in a dental emergency', { transferNumber: '+15551230000' });
    expect(first.said.at(-1)).toBe("If it's urgent, I can connect you with someone right now.");
    const history: ConversationTurn[] = [{ speaker: 'caller', text: 'what should i do in a dental emergency' }, { speaker: 'agent', text: first.text }, { speaker: 'caller', text: 'yes' }];
    expect((await ask('wisdom-bites-dental', 'yes', { transferNumber: '+15551230000', history })).kinds).toEqual(['say', 'transfer']);
  });
});

describe('plumber', () => {
  it('answers services, prices and policies from its pages', async () => {
    expect((await ask('flowmaster-plumbing', 'what services do you offer')).text).toMatch(/residential plumbing/);
    expect((await ask('flowmaster-plumbing', 'can you fix a water heater')).text).toMatch(/^Yes, we do water heaters\./);
    expect((await ask('flowmaster-plumbing', 'so how much is a service call')).text).toBe('It depends on location and time. We confirm pricing before dispatch to avoid surprises.');
    expect((await ask('flowmaster-plumbing', 'do you offer a warranty')).text).toMatch(/warranty/i);
    expect((await ask('flowmaster-plumbing', 'what are your hours')).text).toBe("We're open every day 9 AM to 8 PM.");
  });

  it('prefers the real phone number over the placeholder and says what it lacks', async () => {
    expect((await ask('flowmaster-plumbing', 'whats your phone number')).text).toBe('Our phone number is 5 5 5, 9 8 7, 5 4 3 2.');
    expect((await ask('flowmaster-plumbing', 'where are you located')).text).toMatch(/^I'm sorry, I don't have our address on file\./);
    // The terms page only says a cancellation policy "should be added here": that is not a policy.
    expect((await ask('flowmaster-plumbing', 'whats your cancellation policy')).text).toMatch(HONEST);
  });
});

describe('honesty', () => {
  it.each([
    ['business-casual-coffee', 'do you sell pizza'],
    ['business-casual-coffee', 'whats your wifi password'],
    ['wisdom-bites-dental', 'do you sell pizza'],
    ['wisdom-bites-dental', 'whats your wifi password'],
    ['flowmaster-plumbing', 'do you sell pizza'],
    ['flowmaster-plumbing', 'whats your wifi password'],
  ] as const)('%s: %j gets "not sure", an offer, and no invented facts', async (site, question) => {
    const { text, kinds } = await ask(site, question);
    expect(text).toMatch(HONEST);
    expect(text).not.toMatch(/\d|\$|dollars|open|closed/);
    expect(kinds).toEqual(['say', 'say']);
  });

  it('never makes up a price', async () => {
    for (const [site, question] of [
      ['wisdom-bites-dental', 'how much is teeth whitening'],
      ['wisdom-bites-dental', 'how much does a cleaning cost'],
      ['business-casual-coffee', 'how much is a latte'],
    ] as const) {
      const { text } = await ask(site, question);
      expect(text, question).toMatch(/^I'm sorry, I don't have a price for .* on file\./);
      expect(text, question).not.toMatch(/\d|\$|dollars/);
    }
  });

  it('only offers what it can do: no message without a sink, a transfer only with a number', async () => {
    const { lookup, agentId } = built['business-casual-coffee'];
    const brain = new OfflineBrain({ lookup });
    const said: string[] = [];
    const agent = { id: agentId, name: 'Cafe', greeting: null, transferNumber: null };
    for await (const a of brain.respond('do you sell pizza', { callId: 'c', tenantId, agent, history: [] }, new AbortController().signal)) if (a.type === 'say') said.push(a.text);
    expect(said).toEqual(["I'm not sure about that.", 'Is there anything else I can help with?']);
    expect((await ask('business-casual-coffee', 'do you sell pizza', { transferNumber: '+15550001111' })).said.at(-1)).toBe('I can take a message, or connect you with someone.');
  });
});

describe('the conversation', () => {
  it('transfers on "talk to a human" only with a transfer number', async () => {
    const withNumber = await ask('wisdom-bites-dental', 'can i talk to a human', { transferNumber: '+15551230000' });
    expect(withNumber.kinds).toEqual(['say', 'transfer']);
    const without = await ask('wisdom-bites-dental', 'can i talk to a human');
    expect(without.kinds).not.toContain('transfer');
    expect(without.text).toMatch(/take a message/);
  });

  it('says goodbye, then hangs up', async () => {
    const bye = await ask('business-casual-coffee', 'okay thanks bye');
    expect(bye.kinds).toEqual(['say', 'hang-up']);
    expect(bye.text).toMatch(/Goodbye!$/);
  });

  it('takes a message when offered, and repeats the last answer', async () => {
    const messages: unknown[] = [];
    const offer = await ask('business-casual-coffee', 'do you sell pizza', { messages });
    const history: ConversationTurn[] = [{ speaker: 'agent', text: offer.text }];
    const prompt = await ask('business-casual-coffee', 'yes please', { history, messages });
    expect(prompt.text).toMatch(/your name, the best number to reach you, and your message/);
    history.push({ speaker: 'caller', text: 'yes please' }, { speaker: 'agent', text: prompt.text }, { speaker: 'caller', text: 'x' });
    const taken = await ask('business-casual-coffee', 'this is maria at 612 555 0199 do you cater parties', { history, messages });
    expect(taken.text).toBe("Thank you, I'll pass that on. Is there anything else I can help with?");
    expect(messages).toEqual([{ message: 'this is maria at 612 555 0199 do you cater parties', callerName: 'Maria', callbackNumber: '6125550199' }]);
    const again = await ask('business-casual-coffee', 'sorry say that again', { history: [{ speaker: 'agent', text: "On Saturday we're open 9 AM to 5 PM." }] });
    expect(again.text).toBe("On Saturday we're open 9 AM to 5 PM.");
  });

  it('speaks one sentence per action, names its sources, and stops when aborted', async () => {
    const answer = await ask('wisdom-bites-dental', 'whats your cancellation policy');
    expect(answer.actions[0]).toMatchObject({ type: 'sources' });
    expect(answer.said.length).toBe(2);
    for (const sentence of answer.said) expect(sentence).toMatch(/^[^.!?]+[.!?]$/);

    const aborted = new AbortController();
    aborted.abort();
    expect((await ask('wisdom-bites-dental', 'what are your hours', { signal: aborted.signal })).actions).toEqual([]);

    const { lookup, agentId } = built['wisdom-bites-dental'];
    const controller = new AbortController();
    const said: string[] = [];
    const agent = { id: agentId, name: 'Clinic', greeting: null, transferNumber: null };
    for await (const a of new OfflineBrain({ lookup }).respond('what are your hours', { callId: 'c', tenantId, agent, history: [] }, controller.signal)) {
      if (a.type !== 'say') continue;
      said.push(a.text);
      controller.abort(); // barge-in after the first sentence
    }
    expect(said).toEqual(['Our website lists more than one set of hours.']);
  });

  it('never leaves the caller in silence when the knowledge cannot be read', async () => {
    const broken: KnowledgeLookup = { search: () => { throw new Error('database is locked'); }, byCategory: () => { throw new Error('database is locked'); } };
    const said: string[] = [];
    const agent = { id: 'a', name: 'Clinic', greeting: null, transferNumber: null };
    for await (const a of new OfflineBrain({ lookup: broken }).respond('what are your hours', { callId: 'c', tenantId, agent, history: [] }, new AbortController().signal)) if (a.type === 'say') said.push(a.text);
    expect(said[0]).toBe("I'm sorry, I'm having trouble answering right now.");
  });

  it('greets like the echo brain did', () => {
    const { lookup } = built['business-casual-coffee'];
    const brain = new OfflineBrain({ lookup });
    const context = (greeting: string | null) => ({ callId: 'c', tenantId, agent: { id: 'a', name: 'Business Casual Coffee', greeting, transferNumber: null }, history: [] });
    expect(brain.greeting(context(null))).toBe('Hello, thanks for calling Business Casual Coffee. How can I help you today?');
    expect(brain.greeting(context(' Hi, Cafe here! '))).toBe('Hi, Cafe here!');
  });
});
