import type { Authenticator } from './auth/authenticator.js';
import type { BrainFactory } from './brain/brain-factory.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/database.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { CrawlJobs } from './knowledge/crawl-jobs.js';
import type { JobEvents } from './knowledge/job-events.js';
import type { RecrawlScheduler } from './knowledge/recrawl-scheduler.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { CallTokens } from './telephony/call-token.js';
import type { TwilioClientIdentities } from './telephony/twilio-client.js';
import type { TwilioRest } from './telephony/twilio-rest.js';
import type { CallWrites } from './voice/session/call-recorder.js';

/**
 * Readiness of one dependency, reported by /readyz. A check with `critical: false` is reported
 * but does not make the server unready (a missing optional engine degrades calls, not the API).
 */
export type ReadinessCheck = () => { ok: boolean; detail?: string; critical?: boolean };

/** The process's own services, built once in server.ts and handed to every area. */
export interface Services {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  metrics: Metrics;
  authenticator: Authenticator;
  readiness: Map<string, ReadinessCheck>;
  /** `activeCalls`: media sessions now (the voice webhook turns callers away at MAX_CONCURRENT_CALLS). */
  lifecycle: { draining: boolean; activeCalls: number };
  /** Twilio's REST API; absent when no Twilio credentials are configured. */
  twilio?: TwilioRest;
  callTokens: CallTokens;
  /** Encrypts and decrypts secrets stored in the database (SECRETS_KEY; see secrets/tenant-secrets.ts). */
  secrets: SecretBox;
  /** Call turns and status, written without stalling calls when the database is locked or full. */
  callWrites: CallWrites;
  /** Tokens for the dashboard's web phone (`WS /web/media`): a key of their own. */
  webCallTokens: CallTokens;
  /** Voice SDK identities issued by POST /api/agents/:id/voice-token, each bound to one agent. */
  twilioClients: TwilioClientIdentities;
  knowledge: { jobs: CrawlJobs; scheduler: RecrawlScheduler; events: JobEvents };
  /** The agent's mind for one call or chat: grounded LLM when configured, else the offline answerer. */
  brains: BrainFactory;
}
