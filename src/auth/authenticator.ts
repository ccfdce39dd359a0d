import type { Db } from '../db/database.js';
import { apiKeyQueries } from '../db/queries/api-keys.js';
import { newId } from '../db/ids.js';
import { tenantQueries } from '../db/queries/tenants.js';
import { apiKeyPrefix, fingerprint, generateApiKey, hashApiKey, secretsEqual, verifyApiKey } from './api-key-crypto.js';

export type Principal =
  | { role: 'admin'; keyId: string }
  | { role: 'tenant'; keyId: string; tenantId: string };

interface CacheEntry {
  principal: Principal;
  expiresAt: number;
  touchedAt: number;
}

const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 10_000;
const TOUCH_EVERY_MS = 60_000;

/**
 * Turns a bearer token into a principal. scrypt costs tens of milliseconds, so a verified key is
 * remembered (by its SHA-256, in memory) for a minute; revocation drops it at once.
 */
export class Authenticator {
  private readonly keys;
  private readonly tenants;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    db: Db,
    private readonly adminKeyFromEnv: string | undefined,
  ) {
    this.keys = apiKeyQueries(db);
    this.tenants = tenantQueries(db);
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    if (this.adminKeyFromEnv && secretsEqual(token, this.adminKeyFromEnv)) return { role: 'admin', keyId: 'env' };
    const cacheKey = fingerprint(token);
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > now) {
      if (now - cached.touchedAt > TOUCH_EVERY_MS) {
        cached.touchedAt = now;
        this.keys.touch(cached.principal.keyId, new Date(now));
      }
      return cached.principal;
    }
    this.cache.delete(cacheKey);

    const prefix = apiKeyPrefix(token);
    const row = prefix ? this.keys.findActiveByPrefix(prefix) : undefined;
    if (!row || !(await verifyApiKey(token, row.hash))) return undefined;
    // With ADMIN_API_KEY set, the environment's key is the only admin key.
    if (row.role === 'admin' && this.adminKeyFromEnv) return undefined;
    const principal: Principal =
      row.role === 'admin' ? { role: 'admin', keyId: row.id } : { role: 'tenant', keyId: row.id, tenantId: row.tenantId! };
    this.keys.touch(row.id, new Date(now));
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, { principal, expiresAt: now + CACHE_TTL_MS, touchedAt: now });
    return principal;
  }

  /** Issues a key; the clear key is returned once and never stored. */
  async issueKey(role: 'admin' | 'tenant', tenantId: string | null, label?: string) {
    const { key, prefix } = generateApiKey();
    const row = this.keys.insert({ id: newId('key'), role, tenantId, prefix, hash: await hashApiKey(key), label });
    return { key, row };
  }

  revokeTenantKey(tenantId: string, keyId: string): boolean {
    const revoked = this.keys.revokeForTenant(tenantId, keyId);
    for (const [cacheKey, entry] of this.cache) if (entry.principal.keyId === keyId) this.cache.delete(cacheKey);
    return revoked;
  }

  /** At first start without ADMIN_API_KEY: make an admin key, to be printed once. */
  async ensureAdminKey(): Promise<string | undefined> {
    if (this.adminKeyFromEnv || this.keys.hasActiveAdminKey()) return undefined;
    const { key } = await this.issueKey('admin', null, 'generated at first start');
    return key;
  }

  /** A disabled tenant's keys still authenticate, but its requests are refused (403). */
  isTenantActive(tenantId: string): boolean {
    return this.tenants.get(tenantId)?.status === 'active';
  }
}
