import { isNotNull } from 'drizzle-orm';
import type { Db } from '../database.js';
import { agents } from '../schema.js';

/** Agents with a website to re-crawl, across tenants: the scheduler is the process's, not a tenant's. */
export function scheduledAgentQueries(db: Db) {
  return {
    withWebsites() {
      return db
        .select({ id: agents.id, tenantId: agents.tenantId, websiteUrl: agents.websiteUrl, crawlSchedule: agents.crawlSchedule, status: agents.status })
        .from(agents)
        .where(isNotNull(agents.websiteUrl))
        .all();
    },
  };
}
