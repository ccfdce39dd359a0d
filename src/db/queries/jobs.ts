import { and, desc, eq, inArray } from 'drizzle-orm';
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
    /** The crawl already queued or running for this agent, if any. */
    activeForAgent(agentId: string): JobRow | undefined {
      return db
        .select()
        .from(jobs)
        .where(and(eq(jobs.tenantId, tenantId), eq(jobs.agentId, agentId), inArray(jobs.status, ['queued', 'running'])))
        .orderBy(desc(jobs.createdAt))
        .get();
    },
    update(id: string, patch: Partial<JobInput>): JobRow | undefined {
      return db.update(jobs).set({ ...patch, updatedAt: new Date() }).where(owned(id)).returning().get();
    },
  };
}

/** At start-up: jobs a previous process left queued or running will never finish; say so. */
export function failInterruptedJobs(db: Db): number {
  return db
    .update(jobs)
    .set({ status: 'failed', error: 'interrupted by a server restart', finishedAt: new Date(), updatedAt: new Date() })
    .where(inArray(jobs.status, ['queued', 'running']))
    .run().changes;
}
