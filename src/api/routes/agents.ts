import { Router } from 'express';
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { auditQueries } from '../../db/queries/audit.js';
import type { AgentRow } from '../../db/queries/agents.js';
import type { Services } from '../../services.js';
import { agentSettingsSchema } from '../../agents/agent-settings.js';
import { AgentFromUrl } from '../../agents/agent-from-url.js';
import { forbiddenRange } from '../../knowledge/crawler/address-guard.js';
import { ipLiteral } from '../../knowledge/crawler/url-policy.js';
import { phoneNumberSchema } from '../../telephony/phone-number.js';
import { scopeOf } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import { parseInput } from '../validation.js';

const maxChars = (n: number) => ({ message: `must be at most ${n} characters` });
const agentFields = {
  name: z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(100, maxChars(100)),
  greeting: z.string().trim().max(500, maxChars(500)).nullable().optional(),
  instructions: z.string().max(10_000, maxChars(10_000)).nullable().optional(),
  voice: z
    .string()
    .trim()
    .regex(/^[\w.-]{1,100}$/, { message: 'must be a voice id (letters, digits, _ . -)' })
    .nullable()
    .optional(),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, { message: 'must be a language tag such as en or en-US' })
    .optional(),
  transferNumber: phoneNumberSchema.nullable().optional(),
  websiteUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000, maxChars(2000)).nullable().optional(),
  crawlSchedule: z
    .string()
    .trim()
    .refine((v) => isValidCron(v), { message: 'must be a cron expression, e.g. "0 3 * * 0" for Sundays at 03:00' })
    .optional(),
  status: z.enum(['active', 'disabled'], { message: 'must be active or disabled' }).optional(),
  settings: agentSettingsSchema.optional(),
};
const createAgent = z.strictObject(agentFields);
const createFromUrl = z.strictObject({
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000, maxChars(2000)),
  name: agentFields.name.optional(),
  provisionNumber: z.boolean({ message: 'must be true or false' }).optional(),
  areaCode: z.string().regex(/^[2-9]\d{2}$/, { message: 'must be a 3-digit US area code, e.g. 415' }).optional(),
});
const updateAgent = z
  .strictObject({ ...agentFields, name: agentFields.name.optional() })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });

export const presentAgent = (a: AgentRow) => ({
  id: a.id,
  name: a.name,
  greeting: a.greeting,
  instructions: a.instructions,
  voice: a.voice,
  language: a.language,
  transferNumber: a.transferNumber,
  websiteUrl: a.websiteUrl,
  crawlSchedule: a.crawlSchedule,
  status: a.status,
  settings: a.settings,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});

export function agentRoutes({ database, knowledge, config, log, twilio }: Services): Router {
  const audit = auditQueries(database.db);
  const fromUrl = new AgentFromUrl({ jobs: knowledge.jobs, database, config, log, twilio });
  const router = Router();

  router.post('/', (req, res) => {
    const input = parseInput(createAgent, req.body);
    const scope = scopeOf(req);
    const agent = scope.agents.create(input);
    knowledge.scheduler.sync(agent);
    audit.record({ tenantId: scope.tenantId, actor: req.principal!.keyId, action: 'agent.created', targetType: 'agent', targetId: agent.id });
    res.status(201).json(presentAgent(agent));
  });

  /** Build an agent from its website: `202 {agentId, jobId}`; progress at /api/jobs/:id (and /events). */
  router.post('/from-url', (req, res) => {
    const input = parseInput(createFromUrl, req.body);
    const host = new URL(input.url).hostname;
    const literal = ipLiteral(host);
    // Names that resolve privately are refused by the crawler (the job fails at 'crawl'); these are known now.
    if (!config.crawl.allowPrivate && (/^localhost$|\.localhost$/i.test(host) || (literal && forbiddenRange(literal)))) {
      throw new ApiError(400, 'validation_failed', 'url: points at a private or loopback address, which the crawler refuses (CRAWL_ALLOW_PRIVATE is off)', [
        { field: 'url', message: 'points at a private or loopback address' },
      ]);
    }
    const scope = scopeOf(req);
    const { agent, job } = fromUrl.start(scope, { ...input, actor: req.principal!.keyId });
    knowledge.scheduler.sync(agent);
    res.status(202).json({ agentId: agent.id, jobId: job.id });
  });

  router.get('/', (req, res) => {
    res.json({ agents: scopeOf(req).agents.list().map(presentAgent) });
  });

  router.get('/:id', (req, res) => {
    const agent = scopeOf(req).agents.get(req.params.id);
    if (!agent) throw notFound('agent');
    res.json(presentAgent(agent));
  });

  router.patch('/:id', (req, res) => {
    const patch = parseInput(updateAgent, req.body);
    const agent = scopeOf(req).agents.update(req.params.id, patch);
    if (!agent) throw notFound('agent');
    knowledge.scheduler.sync(agent);
    res.json(presentAgent(agent));
  });

  router.delete('/:id', (req, res) => {
    const scope = scopeOf(req);
    if (!scope.agents.remove(req.params.id)) throw notFound('agent');
    knowledge.scheduler.remove(req.params.id);
    audit.record({ tenantId: scope.tenantId, actor: req.principal!.keyId, action: 'agent.deleted', targetType: 'agent', targetId: req.params.id });
    res.status(204).end();
  });

  /** Re-crawl the agent's website now: `202 {jobId}`, progress at /api/jobs/:id (and /events). */
  router.post('/:id/recrawl', (req, res) => {
    const scope = scopeOf(req);
    const agent = scope.agents.get(req.params.id);
    if (!agent) throw notFound('agent');
    if (!agent.websiteUrl) throw new ApiError(409, 'conflict', 'this agent has no websiteUrl to crawl; set one first');
    const { job, alreadyRunning } = knowledge.jobs.start(scope, agent, agent.websiteUrl);
    res.status(202).json({ jobId: job.id, agentId: agent.id, alreadyRunning });
  });

  return router;
}
