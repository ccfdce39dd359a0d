import { Router } from 'express';
import { z } from 'zod';
import type { KnowledgeEntryRow } from '../../db/queries/knowledge.js';
import { categoryKeys, isCategoryKey } from '../../knowledge/categories.js';
import type { Services } from '../../services.js';
import { scopeOf } from '../auth.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const category = z.string().refine(isCategoryKey, { message: `must be one of: ${categoryKeys.join(', ')}` });
const entryFields = {
  category,
  title: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(200, { message: 'must be at most 200 characters' }),
  content: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(20_000, { message: 'must be at most 20000 characters' }),
  sourceUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).nullable().optional(),
};
const createEntry = z.strictObject(entryFields);
const updateEntry = z
  .strictObject({ category: category.optional(), title: entryFields.title.optional(), content: entryFields.content.optional(), sourceUrl: entryFields.sourceUrl })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });
const listQuery = z.object({ category: category.optional() });
const searchQuery = z.object({
  q: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(500, { message: 'must be at most 500 characters' }),
  limit: z.coerce.number().int().min(1).max(50).default(5),
});

export const presentEntry = (e: KnowledgeEntryRow) => ({
  id: e.id,
  category: e.category,
  title: e.title,
  content: e.content,
  sourceUrl: e.sourceUrl,
  origin: e.origin,
  conflict: e.conflict,
  factKey: e.factKey,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

/** Mounted at /api/agents/:agentId/knowledge. */
export function knowledgeRoutes(_services: Services): Router {
  const router = Router({ mergeParams: true });
  const agentOf = (req: Parameters<typeof scopeOf>[0]) => {
    const { agentId } = req.params as { agentId: string };
    if (!scopeOf(req).agents.get(agentId)) throw notFound('agent');
    return agentId;
  };

  router.get('/', (req, res) => {
    const agentId = agentOf(req);
    const { category: only } = parseInput(listQuery, req.query);
    // Every category key is present, so clients can render all 18 without special cases.
    const grouped: Record<string, ReturnType<typeof presentEntry>[]> = Object.fromEntries(categoryKeys.map((k) => [k, []]));
    for (const entry of scopeOf(req).knowledge.list(agentId, only)) grouped[entry.category]?.push(presentEntry(entry));
    res.json({ categories: grouped });
  });

  router.get('/search', (req, res) => {
    const agentId = agentOf(req);
    const { q, limit } = parseInput(searchQuery, req.query);
    const hits = scopeOf(req).knowledge.search(agentId, q, limit);
    res.json({ results: hits.map((h) => ({ ...presentEntry(h.entry), score: h.score })) });
  });

  router.post('/', (req, res) => {
    const agentId = agentOf(req);
    const input = parseInput(createEntry, req.body);
    res.status(201).json(presentEntry(scopeOf(req).knowledge.create(agentId, { ...input, origin: 'manual' })));
  });

  router.get('/:entryId', (req, res) => {
    const entry = scopeOf(req).knowledge.get(agentOf(req), req.params.entryId!);
    if (!entry) throw notFound('knowledge entry');
    res.json(presentEntry(entry));
  });

  router.patch('/:entryId', (req, res) => {
    const agentId = agentOf(req);
    const patch = parseInput(updateEntry, req.body);
    // An owner's edit makes the entry theirs (a re-crawl will not overwrite it) and settles any conflict.
    const entry = scopeOf(req).knowledge.update(agentId, req.params.entryId!, { ...patch, origin: 'manual', conflict: false });
    if (!entry) throw notFound('knowledge entry');
    res.json(presentEntry(entry));
  });

  router.delete('/:entryId', (req, res) => {
    if (!scopeOf(req).knowledge.remove(agentOf(req), req.params.entryId!)) throw notFound('knowledge entry');
    res.status(204).end();
  });

  return router;
}
