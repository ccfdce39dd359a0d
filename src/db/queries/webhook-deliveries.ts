import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { tenants, webhookDeliveries } from '../schema.js';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** A tenant's webhook settings and deliveries. */
export function webhookQueries(db: Db, tenantId: string) {
  const owned = (id: string) => and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id));
  return {
    /** The secret as stored: encrypted (secrets/tenant-secrets.ts opens it). */
    settings() {
      return db.select({ url: tenants.webhookUrl, sealedSecret: tenants.webhookSecret }).from(tenants).where(eq(tenants.id, tenantId)).get();
    },
    /** `sealedSecret` is the signing secret already encrypted with SecretBox (webhookSecretContext): never a clear value. */
    configure(url: string | null, sealedSecret: string | null): void {
      db.update(tenants).set({ webhookUrl: url, webhookSecret: sealedSecret, updatedAt: new Date() }).where(eq(tenants.id, tenantId)).run();
    },
    /** Queues an event if the tenant has a webhook; call inside the transaction that makes it true. */
    enqueue(event: string, payload: Record<string, unknown>): WebhookDeliveryRow | undefined {
      if (!this.settings()?.url) return undefined;
      return db.insert(webhookDeliveries).values({ id: newId('wh'), tenantId, event, payload }).returning().get();
    },
    list(options: { status?: 'pending' | 'delivered' | 'dead'; limit: number }): WebhookDeliveryRow[] {
      const where = options.status ? and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.status, options.status)) : eq(webhookDeliveries.tenantId, tenantId);
      return db.select().from(webhookDeliveries).where(where).orderBy(desc(webhookDeliveries.createdAt)).limit(options.limit).all();
    },
    /** A dead (or any) delivery goes back in the queue, due now. */
    retry(id: string): WebhookDeliveryRow | undefined {
      return db.update(webhookDeliveries).set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), lastError: null }).where(owned(id)).returning().get();
    },
  };
}

/** The dispatcher's view: due deliveries across tenants, and their outcomes. */
export function webhookDispatchQueries(db: Db) {
  return {
    due(now: Date, limit: number) {
      return db
        .select({ delivery: webhookDeliveries, url: tenants.webhookUrl, sealedSecret: tenants.webhookSecret })
        .from(webhookDeliveries)
        .innerJoin(tenants, eq(tenants.id, webhookDeliveries.tenantId))
        .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
        .orderBy(asc(webhookDeliveries.nextAttemptAt))
        .limit(limit)
        .all();
    },
    delivered(id: string): void {
      db.update(webhookDeliveries).set({ status: 'delivered', deliveredAt: new Date(), lastError: null }).where(eq(webhookDeliveries.id, id)).run();
    },
    failed(id: string, attempts: number, error: string, next: Date | null): void {
      db.update(webhookDeliveries)
        .set({ attempts, lastError: error.slice(0, 500), ...(next ? { nextAttemptAt: next } : { status: 'dead' as const }) })
        .where(eq(webhookDeliveries.id, id))
        .run();
    },
  };
}
