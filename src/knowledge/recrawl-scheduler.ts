import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { DatabaseHandle } from '../db/database.js';
import { scheduledAgentQueries } from '../db/queries/scheduled-agents.js';
import { tenantScope } from '../db/tenant-scope.js';
import type { Logger } from '../observability/logger.js';
import type { CrawlJobs } from './crawl-jobs.js';

interface ScheduledAgent {
  id: string;
  tenantId: string;
  websiteUrl: string | null;
  crawlSchedule: string;
  status: string;
}

/**
 * Re-crawls each agent's website on its own cron schedule (default weekly). A run that finds the
 * agent's previous crawl still going is skipped; a failing site only fails its own job.
 */
export class RecrawlScheduler {
  private readonly tasks = new Map<string, { task: ScheduledTask; expression: string; url: string }>();

  constructor(
    private readonly database: DatabaseHandle,
    private readonly jobs: CrawlJobs,
    private readonly log: Logger,
    private readonly timezone?: string,
  ) {}

  /** Schedules every agent that has a website. */
  start(): void {
    for (const agent of scheduledAgentQueries(this.database.db).withWebsites()) this.sync(agent);
  }

  /** After an agent is created, changed or deleted (pass `undefined` details to drop it). */
  sync(agent: ScheduledAgent): void {
    const current = this.tasks.get(agent.id);
    const wanted = agent.websiteUrl && agent.status !== 'disabled' && validate(agent.crawlSchedule);
    if (current && (!wanted || current.expression !== agent.crawlSchedule || current.url !== agent.websiteUrl)) this.remove(agent.id);
    if (!wanted || this.tasks.has(agent.id)) return;
    const task = schedule(agent.crawlSchedule, () => this.run(agent.tenantId, agent.id), {
      name: `recrawl:${agent.id}`,
      ...(this.timezone ? { timezone: this.timezone } : {}),
    });
    this.tasks.set(agent.id, { task, expression: agent.crawlSchedule, url: agent.websiteUrl! });
  }

  remove(agentId: string): void {
    const entry = this.tasks.get(agentId);
    if (!entry) return;
    void entry.task.destroy();
    this.tasks.delete(agentId);
  }

  /** Runs one agent's scheduled re-crawl now (what the cron tick calls). */
  run(tenantId: string, agentId: string): { jobId?: string; skipped?: string } {
    try {
      const scope = tenantScope(this.database.db, tenantId);
      const agent = scope.agents.get(agentId);
      if (!agent?.websiteUrl) {
        this.remove(agentId);
        return { skipped: 'agent or website gone' };
      }
      const { job, alreadyRunning } = this.jobs.start(scope, agent, agent.websiteUrl);
      if (alreadyRunning) {
        this.log.info({ event: 'recrawl.skipped', agentId, tenantId, jobId: job.id }, 'previous crawl still running; skipped');
        return { jobId: job.id, skipped: 'previous crawl still running' };
      }
      this.log.info({ event: 'recrawl.started', agentId, tenantId, jobId: job.id }, 'scheduled re-crawl');
      return { jobId: job.id };
    } catch (error) {
      this.log.error({ event: 'recrawl.failed_to_start', agentId, tenantId, err: error }, 'scheduled re-crawl could not start');
      return { skipped: 'error' };
    }
  }

  stop(): void {
    for (const id of [...this.tasks.keys()]) this.remove(id);
  }
}
