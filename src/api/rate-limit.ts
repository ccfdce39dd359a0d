import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Metrics } from '../observability/metrics.js';
import { ApiError } from './errors.js';

const WINDOW_MS = 60_000;

function refuse(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    metrics.rateLimited.inc();
    const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
    res.set('Retry-After', String(seconds));
    next(new ApiError(429, 'rate_limited', `too many requests; retry in ${seconds} s`));
  };
}

/** Per API key (after authentication): one busy tenant cannot starve the others. */
export function perKeyRateLimit(limitPerMinute: number, metrics: Metrics): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: limitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => req.principal?.keyId ?? 'anonymous',
    handler: refuse(metrics),
  });
}

/** Per client address, counting only failed authentications: slows down key guessing. */
export function failedAuthRateLimit(limitPerMinute: number, metrics: Metrics): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: limitPerMinute,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    handler: refuse(metrics),
  });
}
