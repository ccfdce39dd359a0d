import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './api/app.js';
import { Authenticator } from './auth/authenticator.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { failInterruptedJobs } from './db/queries/jobs.js';
import { LlmCategorizer } from './knowledge/categorize/llm-categorizer.js';
import { CrawlJobs } from './knowledge/crawl-jobs.js';
import { createBrainFactory } from './brain/brain-factory.js';
import { createLanguageModel, createLanguageModelClient } from './brain/language-model-client.js';
import { ChromiumRenderer } from './knowledge/crawler/index.js';
import { JobEvents } from './knowledge/job-events.js';
import { RecrawlScheduler } from './knowledge/recrawl-scheduler.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { openSecretStore } from './secrets/tenant-secrets.js';
import type { Services } from './services.js';
import { CallTokens } from './telephony/call-token.js';
import { TwilioClientIdentities } from './telephony/twilio-client.js';
import { attachMediaSocket } from './telephony/media-socket.js';
import { createTwilioRest } from './telephony/twilio-rest.js';
import { WEB_CALL_TOKEN_TTL_MS } from './telephony/web-call.js';
import { loadVoiceEngines } from './voice/engines/voice-engines.js';
import { CallWrites } from './voice/session/call-recorder.js';

export interface RunningServer {
  services: Services;
  port: number;
  url: string;
  /** Set when this start generated the admin key: shown once, never stored in clear. */
  generatedAdminKey?: string;
  /** Graceful stop: no new connections, in-flight requests finish (up to the bound), database closed. */
  close(): Promise<void>;
}

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const database = openDatabase(config.databasePath);
  // A wrong SECRETS_KEY stops the start here (ConfigError), not a request later.
  const secrets = openSecretStore(config, database, log);
  const authenticator = new Authenticator(database.db, config.adminApiKey);
  const interrupted = failInterruptedJobs(database.db);
  if (interrupted) log.warn({ event: 'jobs.interrupted', count: interrupted }, 'jobs left unfinished by the previous run were marked failed');
  // Chromium starts on the first page that needs rendering, not at boot.
  const renderer = new ChromiumRenderer();
  const jobEvents = new JobEvents();
  const llm = createLanguageModelClient(config);
  const languageModel = createLanguageModel(config, log);
  const crawlJobs = new CrawlJobs({
    database,
    config,
    log,
    events: jobEvents,
    renderer: () => renderer,
    llmCategorizer: llm ? (scope) => new LlmCategorizer({ client: llm.client, model: llm.model, cache: scope.categorizationCache, log }) : undefined,
  });
  const metrics = createMetrics();
  const services: Services = {
    config,
    log,
    database,
    metrics,
    authenticator,
    readiness: new Map([['database', () => ({ ok: database.isHealthy() })]]),
    lifecycle: { draining: false, activeCalls: 0 },
    twilio: config.twilio ? createTwilioRest(config.twilio) : undefined,
    callTokens: new CallTokens(),
    secrets,
    callWrites: new CallWrites({ connection: database.callWriter, log, metrics }),
    webCallTokens: new CallTokens(WEB_CALL_TOKEN_TTL_MS),
    twilioClients: new TwilioClientIdentities(),
    brains: createBrainFactory(languageModel),
    knowledge: { jobs: crawlJobs, scheduler: new RecrawlScheduler(database, crawlJobs, log), events: jobEvents },
  };
  const generatedAdminKey = await authenticator.ensureAdminKey();
  // VAD and espeak-ng load before the port opens; local Whisper/Kokoro load in the background.
  const voice = await loadVoiceEngines(config, log, services.metrics);
  for (const [name, check] of voice.readiness) services.readiness.set(name, check);
  if (languageModel) {
    // Calls still get answers (a fallback line) when every provider's breaker is open: not critical.
    services.readiness.set('llm', () => {
      const { ready, providers } = languageModel.status();
      return { ok: ready, critical: false, detail: providers.map((p) => `${p.name}: ${p.state}`).join(', ') };
    });
  }

  const server = createServer(createApp(services));
  const media = attachMediaSocket(server, services, voice.engines, { startTimeoutMs: config.telephony.mediaStartTimeoutMs });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  services.knowledge.scheduler.start();
  const webhooks = new WebhookDispatcher(database, secrets, log, config.crawl.allowPrivate, config.webhooks.intervalMs, config.webhooks.retryBaseMs);
  webhooks.start();
  log.info({ event: 'server.listening', port, publicUrl: config.publicUrl, dataDir: config.dataDir }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    services,
    port,
    url: `http://127.0.0.1:${port}`,
    generatedAdminKey,
    close: () =>
      (closing ??= shutdown(server, services, {
        drainCalls: media.drain,
        closeEngines: async () => {
          services.knowledge.scheduler.stop();
          webhooks.stop();
          crawlJobs.close();
          await Promise.all([voice.close(), renderer.close()]);
        },
      })),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Two phases, both within SHUTDOWN_TIMEOUT_MS. First, while the port stays open, new calls are
 * refused politely (Twilio's webhook gets a spoken apology, /readyz says draining) and live calls
 * may finish. Then the port closes, in-flight requests finish, and engines and the database close.
 */
async function shutdown(
  server: Server,
  { lifecycle, config, log, database, callWrites }: Services,
  steps: { drainCalls: (timeoutMs: number) => Promise<void>; closeEngines: () => Promise<void> },
): Promise<void> {
  const deadline = Date.now() + config.http.shutdownTimeoutMs;
  lifecycle.draining = true;
  log.info({ event: 'server.draining', timeoutMs: config.http.shutdownTimeoutMs }, 'draining');
  await steps.drainCalls(config.http.shutdownTimeoutMs).catch((error) => log.error({ err: error }, 'call drain failed'));

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections become idle as their last response ends; close them as they do.
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
  });
  if ((await Promise.race([closed, timedOut])) === 'timeout') {
    log.warn({ event: 'server.drain_timeout' }, 'in-flight requests did not finish in time; closing them');
    server.closeAllConnections();
    await closed;
  }
  clearTimeout(timer);
  clearInterval(sweeper);
  await steps.closeEngines().catch((error) => log.error({ err: error }, 'closing engines failed'));
  // Call data queued while the database was locked or full: a last try before it closes.
  await callWrites.close(Math.min(5000, Math.max(1000, deadline - Date.now())));
  database.close();
  log.info({ event: 'server.stopped' }, 'stopped');
}
