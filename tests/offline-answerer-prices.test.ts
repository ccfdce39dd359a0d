/**
 * The offline answerer on facts the fixture sites do not have: a price list (as the extractor
 * files it: factKey "price:<item>", content "Teeth whitening: $299."), prices two pages disagree
 * on, and an emergency line. Entries go into a real SQLite database, so search is the real FTS5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineBrain } from '../src/brain/offline/offline-brain.js';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import type { KnowledgeEntryInput } from '../src/db/queries/knowledge.js';
import { tenantQueries } from '../src/db/queries/tenants.js';
import { tenantScope } from '../src/db/tenant-scope.js';

let dir: string;
let database: DatabaseHandle;
let brain: OfflineBrain;
let context: Parameters<OfflineBrain['respond']>[1];

const ENTRIES: KnowledgeEntryInput[] = [
  { category: 'pricing', title: 'Price: Teeth whitening', content: 'Teeth whitening: $299.', factKey: 'price:teeth whitening', factValue: '$299', sourceUrl: 'https://clinic.test/prices' },
  { category: 'pricing', title: 'Price: New patient exam', content: 'New patient exam: from $89.', factKey: 'price:new patient exam', factValue: 'from$89', sourceUrl: 'https://clinic.test/prices' },
  { category: 'pricing', title: 'Price: Drain cleaning', content: 'Drain cleaning: $149.', factKey: 'price:drain cleaning', factValue: '$149', conflict: true, sourceUrl: 'https://clinic.test/prices' },
  { category: 'pricing', title: 'Price: Drain cleaning', content: 'Drain cleaning: $129.', factKey: 'price:drain cleaning', factValue: '$129', conflict: true, sourceUrl: 'https://clinic.test/specials' },
  { category: 'services', title: 'Veneers', content: 'Custom porcelain veneers, made to match your smile.', sourceUrl: 'https://clinic.test/services' },
  { category: 'emergency', title: 'Emergency phone', content: 'For emergencies, call (555) 010-9999.', factKey: 'emergency_phone', factValue: '5550109999', sourceUrl: 'https://clinic.test/contact' },
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vas-offline-prices-'));
  database = openDatabase(join(dir, 'agent.sqlite'));
  const tenantId = tenantQueries(database.db).create('Clinic').id;
  const scope = tenantScope(database.db, tenantId);
  const agent = scope.agents.create({ name: 'Smile Clinic' });
  for (const entry of ENTRIES) scope.knowledge.create(agent.id, { ...entry, origin: 'crawl' });
  brain = new OfflineBrain({ lookup: { search: (q, limit = 5) => scope.knowledge.search(agent.id, q, limit), byCategory: (c) => scope.knowledge.list(agent.id, c) }, takeMessage: () => {} });
  context = { callId: 'c', tenantId, agent: { id: agent.id, name: agent.name, greeting: null, transferNumber: null }, history: [] };
});

afterAll(() => {
  database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ask(question: string): Promise<string> {
  const said: string[] = [];
  for await (const a of brain.respond(question, context, new AbortController().signal)) if (a.type === 'say') said.push(a.text);
  return said.join(' ');
}

describe('prices from a price list', () => {
  it('reads a listed price in words a voice reads right', async () => {
    expect(await ask('um how much is teeth whitening')).toBe('Teeth whitening: 299 dollars.');
    expect(await ask('what does a new patient exam cost')).toBe('New patient exam: from 89 dollars.');
  });

  it('gives both prices when two pages disagree', async () => {
    expect(await ask('how much do you charge for drain cleaning')).toBe('Our website lists more than one price for drain cleaning. It gives 149 dollars, and also 129 dollars.');
  });

  it('does not price what the list does not', async () => {
    const text = await ask('how much are veneers');
    expect(text).toBe("I'm sorry, I don't have a price for veneers on file. I can take a message and have someone get back to you.");
  });

  it('gives the emergency line first in an emergency', async () => {
    expect(await ask('i have a really bad toothache')).toBe('For emergencies, call 5 5 5, 0 1 0, 9 9 9 9. I can take a message and have someone get back to you.');
  });
});
