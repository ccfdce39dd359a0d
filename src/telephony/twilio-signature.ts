import type { RequestHandler } from 'express';
import twilio from 'twilio';
import { ApiError } from '../api/errors.js';
import type { Config } from '../config.js';

/**
 * Twilio signs the URL it called (our PUBLIC_URL, whatever proxy sits in front) plus the POST
 * parameters. Checked with twilio's own validator; nothing is read or written before it passes.
 */
export function publicUrlFor(config: Config, pathAndQuery: string, scheme: 'http' | 'ws' = 'http'): string {
  const base = scheme === 'ws' ? config.publicUrl.replace(/^http/, 'ws') : config.publicUrl;
  return base + pathAndQuery;
}

export function isValidTwilioSignature(authToken: string, signature: string | undefined, url: string, params: Record<string, string>): boolean {
  return typeof signature === 'string' && signature.length > 0 && twilio.validateRequest(authToken, signature, url, params);
}

export function requireTwilioSignature(config: Config): RequestHandler {
  return (req, _res, next) => {
    if (!config.twilio) throw new ApiError(503, 'unavailable', 'Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
    const params = (req.body ?? {}) as Record<string, string>;
    if (!isValidTwilioSignature(config.twilio.authToken, req.get('x-twilio-signature'), publicUrlFor(config, req.originalUrl), params)) {
      throw new ApiError(403, 'forbidden', 'invalid X-Twilio-Signature');
    }
    next();
  };
}
