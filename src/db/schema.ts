import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Every table that belongs to a tenant carries tenant_id; queries go through db/tenant-scope.ts.
const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`);
const updatedAt = () =>
  integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`);

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
  /** Where call-ended events are POSTed, signed with the secret (HMAC-SHA256). */
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Admin keys have no tenant. Only a hash of the key is stored; `prefix` finds the row. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').references(() => tenants.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['admin', 'tenant'] }).notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    label: text('label'),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('api_keys_prefix_unique').on(t.prefix), index('api_keys_tenant_idx').on(t.tenantId)],
);

export const agents = sqliteTable(
  'agents',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    greeting: text('greeting'),
    instructions: text('instructions'),
    voice: text('voice'),
    language: text('language').notNull().default('en'),
    transferNumber: text('transfer_number'),
    websiteUrl: text('website_url'),
    crawlSchedule: text('crawl_schedule').notNull().default('0 3 * * 0'),
    status: text('status', { enum: ['active', 'disabled', 'building'] }).notNull().default('active'),
    /** Call behaviour: turn-taking thresholds, silence timeout, call length (see agents/agent-settings.ts). */
    settings: text('settings', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('agents_tenant_idx').on(t.tenantId)],
);

export const phoneNumbers = sqliteTable(
  'phone_numbers',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    number: text('number').notNull(),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    twilioSid: text('twilio_sid'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // A number routes to exactly one place, across all tenants.
  (t) => [uniqueIndex('phone_numbers_number_unique').on(t.number), index('phone_numbers_tenant_idx').on(t.tenantId)],
);

export const calls = sqliteTable(
  'calls',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    twilioCallSid: text('twilio_call_sid'),
    // phone: a call to a number; web: the dashboard's web phone (WS /web/media); twilio-client: the dashboard through @twilio/voice-sdk.
    channel: text('channel', { enum: ['phone', 'web', 'twilio-client'] }).notNull().default('phone'),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    status: text('status').notNull().default('ringing'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull().default(sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    durationSeconds: integer('duration_seconds'),
    endReason: text('end_reason'),
    summary: text('summary'),
    intent: text('intent'),
    outcome: text('outcome'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
  },
  (t) => [
    index('calls_tenant_started_idx').on(t.tenantId, t.startedAt),
    uniqueIndex('calls_twilio_sid_unique').on(t.twilioCallSid),
  ],
);

/** One row per turn. Offsets are milliseconds of stream time from the start of the call. */
export const callTurns = sqliteTable(
  'call_turns',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    callId: text('call_id').notNull().references(() => calls.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    speaker: text('speaker', { enum: ['caller', 'agent', 'system'] }).notNull(),
    text: text('text').notNull(),
    startMs: integer('start_ms'),
    endMs: integer('end_ms'),
    interrupted: integer('interrupted', { mode: 'boolean' }).notNull().default(false),
    endpointingMs: integer('endpointing_ms'),
    sttMs: integer('stt_ms'),
    llmFirstTokenMs: integer('llm_first_token_ms'),
    ttsFirstAudioMs: integer('tts_first_audio_ms'),
    responseMs: integer('response_ms'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('call_turns_call_seq_unique').on(t.callId, t.seq), index('call_turns_tenant_idx').on(t.tenantId)],
);

/**
 * `seq` is an explicit integer key so the FTS5 index (knowledge_fts, external content, kept in
 * sync by triggers in a custom migration) keeps pointing at the right rows after a VACUUM.
 */
export const knowledgeEntries = sqliteTable(
  'knowledge_entries',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    agentId: text('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    category: text('category').notNull(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    sourceUrl: text('source_url'),
    contentHash: text('content_hash').notNull(),
    origin: text('origin', { enum: ['manual', 'crawl'] }).notNull().default('manual'),
    /** Single-valued facts (phone, hours, address…) carry a key and a normalised value, so two pages that disagree are flagged. */
    factKey: text('fact_key'),
    factValue: text('fact_value'),
    conflict: integer('conflict', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('knowledge_entries_id_unique').on(t.id),
    index('knowledge_entries_agent_category_idx').on(t.tenantId, t.agentId, t.category),
  ],
);

export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['crawl', 'from_url', 'recrawl'] }).notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull().default('queued'),
    stage: text('stage'),
    progress: real('progress').notNull().default(0),
    stats: text('stats', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('jobs_tenant_idx').on(t.tenantId, t.createdAt)],
);

/** Append-only. No foreign key: the trail outlives the tenant it describes. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_tenant_idx').on(t.tenantId, t.createdAt)],
);

/** Model answers for page chunks, by a hash of prompt, model and text: an unchanged page costs nothing to re-crawl. */
export const categorizationCache = sqliteTable(
  'categorization_cache',
  {
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    facts: text('facts', { mode: 'json' }).$type<unknown[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/** Messages callers left with the agent (the take_message tool), for the owner to call back. */
export const callerMessages = sqliteTable(
  'caller_messages',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    agentId: text('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    callId: text('call_id').references(() => calls.id, { onDelete: 'set null' }),
    callerName: text('caller_name'),
    callbackNumber: text('callback_number'),
    message: text('message').notNull(),
    status: text('status', { enum: ['new', 'handled'] }).notNull().default('new'),
    createdAt: createdAt(),
  },
  (t) => [index('caller_messages_tenant_idx').on(t.tenantId, t.createdAt)],
);

/** Outbox of webhook events: written with the data they describe, delivered at least once. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull().default(sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt), index('webhook_deliveries_tenant_idx').on(t.tenantId, t.createdAt)],
);
