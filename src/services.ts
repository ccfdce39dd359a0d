import type { Authenticator } from './auth/authenticator.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/database.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';

/** Readiness of one dependency, reported by /readyz. Engines add theirs as they arrive. */
export type ReadinessCheck = () => { ok: boolean; detail?: string };

/** The process's own services, built once in server.ts and handed to every area. */
export interface Services {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  metrics: Metrics;
  authenticator: Authenticator;
  readiness: Map<string, ReadinessCheck>;
  lifecycle: { draining: boolean };
}
