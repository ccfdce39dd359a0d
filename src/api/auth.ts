import type { Request, RequestHandler } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import type { Db } from '../db/database.js';
import { tenantScope, type TenantScope } from '../db/tenant-scope.js';
import { ApiError } from './errors.js';
import './request-context.js';

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Sets req.principal from `Authorization: Bearer <key>`, or answers 401. */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req);
    if (!token) throw new ApiError(401, 'unauthorized', 'missing Authorization: Bearer <api key> header');
    const principal = await authenticator.authenticate(token);
    if (!principal) throw new ApiError(401, 'unauthorized', 'invalid or revoked API key');
    req.principal = principal;
    next();
  };
}

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.principal?.role !== 'admin') throw new ApiError(403, 'forbidden', 'this route needs the admin key');
  next();
};

/** Tenant routes get req.scope: the tenant-scoped data access layer, and nothing wider. */
export function requireTenant(db: Db, authenticator: Authenticator): RequestHandler {
  return (req, _res, next) => {
    const principal = req.principal;
    if (principal?.role !== 'tenant') throw new ApiError(403, 'forbidden', 'this route needs a tenant API key');
    if (!authenticator.isTenantActive(principal.tenantId)) throw new ApiError(403, 'forbidden', 'this tenant is disabled');
    req.scope = tenantScope(db, principal.tenantId);
    next();
  };
}

/** The scope set by requireTenant (routers mounted behind it only). */
export function scopeOf(req: Request): TenantScope {
  if (!req.scope) throw new Error('tenant route mounted without requireTenant');
  return req.scope;
}
