import { asc, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { tenants } from '../schema.js';

export type TenantRow = typeof tenants.$inferSelect;

/** Tenants themselves: the admin's view, not scoped (a tenant is the scope). */
export function tenantQueries(db: Db) {
  return {
    list(): TenantRow[] {
      return db.select().from(tenants).orderBy(asc(tenants.createdAt)).all();
    },
    get(id: string): TenantRow | undefined {
      return db.select().from(tenants).where(eq(tenants.id, id)).get();
    },
    create(name: string): TenantRow {
      return db.insert(tenants).values({ id: newId('tn'), name }).returning().get();
    },
    update(id: string, patch: { name?: string; status?: 'active' | 'disabled' }): TenantRow | undefined {
      return db.update(tenants).set({ ...patch, updatedAt: new Date() }).where(eq(tenants.id, id)).returning().get();
    },
  };
}
