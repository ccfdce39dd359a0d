import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../database.js';
import { apiKeys } from '../schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Key rows are looked up by their public prefix before any tenant is known (that is authentication). */
export function apiKeyQueries(db: Db) {
  return {
    findActiveByPrefix(prefix: string): ApiKeyRow | undefined {
      return db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.prefix, prefix), isNull(apiKeys.revokedAt)))
        .get();
    },
    insert(row: typeof apiKeys.$inferInsert): ApiKeyRow {
      return db.insert(apiKeys).values(row).returning().get();
    },
    hasActiveAdminKey(): boolean {
      return (
        db
          .select({ id: apiKeys.id })
          .from(apiKeys)
          .where(and(eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt)))
          .get() !== undefined
      );
    },
    listForTenant(tenantId: string): ApiKeyRow[] {
      return db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(asc(apiKeys.createdAt)).all();
    },
    revokeForTenant(tenantId: string, id: string): boolean {
      return (
        db
          .update(apiKeys)
          .set({ revokedAt: new Date() })
          .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .run().changes > 0
      );
    },
    touch(id: string, at: Date): void {
      db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run();
    },
  };
}
