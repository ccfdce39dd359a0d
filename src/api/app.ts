import express, { type RequestHandler } from 'express';
import type { Services } from '../services.js';
import { voiceWebhookRoutes } from '../telephony/voice-webhook.js';
import { authenticate, requireAdmin, requireTenant } from './auth.js';
import { ApiError, errorHandler, unknownRoute } from './errors.js';
import { requestLogging, requestMetrics } from './http-observability.js';
import { failedAuthRateLimit, perKeyRateLimit } from './rate-limit.js';
import { agentRoutes } from './routes/agents.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { callRoutes } from './routes/calls.js';
import { chatRoutes } from './routes/chat.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { messageRoutes } from './routes/messages.js';
import { phoneNumberRoutes } from './routes/phone-numbers.js';
import { tenantRoutes } from './routes/tenants.js';
import { webhookRoutes } from './routes/webhooks.js';
import { categoryRoutes } from './routes/categories.js';
import { webCallRoutes } from './routes/web-calls.js';
import { voiceTokenRoutes } from './routes/voice-tokens.js';
import { capabilityRoutes } from './routes/capabilities.js';
import { dashboardRoutes } from '../web/dashboard.js';

/** A body that is not JSON is refused up front instead of arriving as an empty object. */
const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new ApiError(415, 'unsupported_media_type', 'send the request body as application/json');
  }
  next();
};

export function createApp(services: Services): express.Express {
  const { config, log, metrics, database, authenticator, lifecycle } = services;
  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy on the same machine (the usual single-VM setup), trust its X-Forwarded-*.
  app.set('trust proxy', 'loopback');

  app.use(requestLogging(log));
  app.use(requestMetrics(metrics));
  app.use((_req, res, next) => {
    if (lifecycle.draining) res.set('Connection', 'close');
    next();
  });
  app.use(healthRoutes(services));
  app.use('/twilio', voiceWebhookRoutes(services));
  // The owner's dashboard at /app/ (static files, their own security headers; `/` redirects there).
  app.use(dashboardRoutes({ twilioVoiceSdk: Boolean(config.twilio?.voiceSdk) }));

  const api = express.Router();
  api.use(failedAuthRateLimit(Math.max(30, config.http.rateLimitPerMinute), metrics));
  api.use(authenticate(authenticator));
  api.use(perKeyRateLimit(config.http.rateLimitPerMinute, metrics));
  api.use(jsonBodiesOnly, express.json({ limit: config.http.maxBodyBytes }));

  const tenantOnly = requireTenant(database.db, authenticator);
  api.use('/tenants', requireAdmin, tenantRoutes(services));
  api.use('/api-keys', tenantOnly, apiKeyRoutes(services));
  api.use('/agents/:agentId/knowledge', tenantOnly, knowledgeRoutes(services));
  api.use('/agents/:agentId/chat', tenantOnly, chatRoutes(services));
  api.use('/agents/:agentId/web-call', tenantOnly, webCallRoutes(services));
  api.use('/agents/:agentId/voice-token', tenantOnly, voiceTokenRoutes(services));
  api.use('/capabilities', capabilityRoutes(services));
  api.use('/categories', categoryRoutes());
  api.use('/agents', tenantOnly, agentRoutes(services));
  api.use('/phone-numbers', tenantOnly, phoneNumberRoutes(services));
  api.use('/calls', tenantOnly, callRoutes(services));
  api.use('/jobs', tenantOnly, jobRoutes(services));
  api.use('/messages', tenantOnly, messageRoutes(services));
  api.use('/webhook', tenantOnly, webhookRoutes(services));
  app.use('/api', api);

  app.use(unknownRoute);
  app.use(errorHandler(log));
  return app;
}
