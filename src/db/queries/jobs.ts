import { and, eq } from 'drizzle-orm';
import type { Db } from '../database.js';
import { newId } from '../ids.js';
import { jobs } from '../schema.js';

export type JobRow = typeof jobs.$inferSelect;
export type JobInput = Omit<typeof jobs.$inferInsert, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>;

export function jobQueries(db: Db, tenantId: string) {
  const owned = (id: string) => and(eq(jobs.tenantId, tenantId), eq(jobs.id, id));
  return {
    get(id: string): JobRow | undefined {
      return db.select().from(jobs).where(owned(id)).get();
    },
    create(input: JobInput): JobRow {
      return db.insert(jobs).values({ ...input, id: newId('job'), tenantId }).returning().get();
    },
    update(id: string, patch: Partial<JobInput>): JobRow | undefined {
      return db.update(jobs).set({ ...patch, updatedAt: new Date() }).where(owned(id)).returning().get();
    },
  };
}
