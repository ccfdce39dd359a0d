import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { phoneNumbers } from '../schema.js';

export type PhoneNumberRow = typeof phoneNumbers.$inferSelect;

export function phoneNumberQueries(db: Db, tenantId: string) {
  const owned = (id: string) => and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.id, id));
  return {
    list(): PhoneNumberRow[] {
      return db
        .select()
        .from(phoneNumbers)
        .where(eq(phoneNumbers.tenantId, tenantId))
        .orderBy(asc(phoneNumbers.createdAt))
        .all();
    },
    get(id: string): PhoneNumberRow | undefined {
      return db.select().from(phoneNumbers).where(owned(id)).get();
    },
    /** Throws a SQLITE_CONSTRAINT_UNIQUE error when any tenant already has the number. */
    create(input: { number: string; agentId: string | null; twilioSid?: string | null }): PhoneNumberRow {
      return db
        .insert(phoneNumbers)
        .values({ ...input, id: newId('pn'), tenantId })
        .returning()
        .get();
    },
    route(id: string, agentId: string | null): PhoneNumberRow | undefined {
      return db.update(phoneNumbers).set({ agentId, updatedAt: new Date() }).where(owned(id)).returning().get();
    },
    remove(id: string): boolean {
      return db.delete(phoneNumbers).where(owned(id)).run().changes > 0;
    },
  };
}
