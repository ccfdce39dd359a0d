import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { AgentRow } from '../db/queries/agents.js';
import type { JobRow } from '../db/queries/jobs.js';
import { tenantScope, type TenantScope } from '../db/tenant-scope.js';
import type { Logger } from '../observability/logger.js';
import { crawlSite } from './crawler/crawler.js';
import type { CrawlResult, PageRenderer } from './crawler/crawl-types.js';
import type { LlmCategorizer } from './categorize/llm-categorizer.js';
import { extractFacts } from './extract/extract-facts.js';
import type { ExtractedFact } from './extract/fact-types.js';
import type { JobEvents } from './job-events.js';
import { syncCrawledKnowledge } from './knowledge-sync.js';

export interface CrawlJobsOptions {
  database: DatabaseHandle;
  config: Config;
  log: Logger;
  events: JobEvents;
  /** Chromium, started on first need and shared by every crawl. */
  renderer: () => PageRenderer;
  /** With a language model configured: a categoriser for one crawl (its own cost budget). */
  llmCategorizer?: (scope: TenantScope) => LlmCategorizer;
  maxConcurrent?: number;
  maxPages?: number;
}

const STAGES = { crawl: [0.02, 0.75], extract: [0.75, 0.9], save: [0.9, 1] } as const;

/**
 * Crawl → extract → save, as a job with a stage and a progress fraction that the API serves and
 * streams. At most `maxConcurrent` crawls run at once (calls come first on a small VM), one per
 * agent: asking again while one is queued or running returns that one.
 */
export class CrawlJobs {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(private readonly o: CrawlJobsOptions) {}

  start(scope: TenantScope, agent: AgentRow, url: string): { job: JobRow; alreadyRunning: boolean } {
    const active = scope.jobs.activeForAgent(agent.id);
    if (active) return { job: active, alreadyRunning: true };
    const job = scope.jobs.create({ kind: 'crawl', agentId: agent.id, status: 'queued', stage: 'queued', progress: 0 });
    this.o.events.publish(job);
    void this.run(job, agent.tenantId, agent.id, url);
    return { job, alreadyRunning: false };
  }

  /** Aborts crawls in flight (they are recorded as failed) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const controller of this.controllers) controller.abort(new Error('server shutting down'));
  }

  private async run(job: JobRow, tenantId: string, agentId: string, url: string): Promise<void> {
    const scope = tenantScope(this.o.database.db, tenantId);
    const log = this.o.log.child({ jobId: job.id, tenantId, agentId });
    const controller = new AbortController();
    this.controllers.add(controller);
    let stage: keyof typeof STAGES = 'crawl';
    let lastWrite = 0;
    const report = (patch: Partial<JobRow>, force = false) => {
      if (!force && Date.now() - lastWrite < 250) return;
      lastWrite = Date.now();
      const row = scope.jobs.update(job.id, patch);
      if (row) this.o.events.publish(row);
    };
    const at = (fraction: number) => STAGES[stage][0] + (STAGES[stage][1] - STAGES[stage][0]) * Math.min(1, fraction);

    await this.slot();
    const started = Date.now();
    try {
      if (this.closed) throw new Error('server shutting down');
      report({ status: 'running', stage, progress: at(0), startedAt: new Date() }, true);
      const maxPages = this.o.maxPages ?? 50;
      const crawl: CrawlResult = await crawlSite(url, {
        allowPrivate: this.o.config.crawl.allowPrivate,
        maxPages,
        renderer: this.o.renderer(),
        signal: controller.signal,
        onProgress: ({ fetched }) => report({ progress: at(fetched / maxPages) }),
      });
      if (crawl.pages.length === 0) {
        const why = crawl.skipped[0] ? `${crawl.skipped[0].reason}${crawl.skipped[0].detail ? ` (${crawl.skipped[0].detail})` : ''}` : 'no pages';
        throw new Error(`could not read ${url}: ${why}`);
      }

      stage = 'extract';
      report({ stage, progress: at(0) }, true);
      const facts: ExtractedFact[] = [];
      const llm = this.o.llmCategorizer?.(scope);
      for (const [i, page] of crawl.pages.entries()) {
        const found = extractFacts(page);
        // The model files the prose; single-valued facts (phone, hours…) always come from the
        // deterministic extractor too, so conflicts between pages are still seen.
        const fromModel = llm ? await llm.categorize(page, { url }, controller.signal) : undefined;
        facts.push(...(fromModel ? [...found.filter((f) => f.factKey), ...fromModel] : found));
        report({ progress: at((i + 1) / crawl.pages.length) });
      }

      stage = 'save';
      report({ stage, progress: at(0) }, true);
      const summary = syncCrawledKnowledge(this.o.database, scope, agentId, facts);
      const stats = {
        pages: crawl.stats.pagesFetched,
        rendered: crawl.stats.pagesRendered,
        skipped: crawl.skipped.length,
        skippedByReason: countBy(crawl.skipped.map((s) => s.reason)),
        facts: facts.length,
        added: summary.added,
        updated: summary.updated,
        removed: summary.removed,
        unchanged: summary.unchanged,
        conflicts: summary.conflicts,
        ...(llm ? { llm: llm.usage } : {}),
        changes: summary.changes.slice(0, 100),
        durationMs: Date.now() - started,
      };
      report({ status: 'succeeded', stage: 'done', progress: 1, stats, finishedAt: new Date() }, true);
      log.info({ event: 'crawl.succeeded', pages: stats.pages, added: stats.added, updated: stats.updated, removed: stats.removed, durationMs: stats.durationMs }, 'crawl finished');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report({ status: 'failed', error: `${stage} failed: ${message}`, finishedAt: new Date(), stats: { durationMs: Date.now() - started } }, true);
      log.warn({ event: 'crawl.failed', stage, err: error }, 'crawl failed');
    } finally {
      this.controllers.delete(controller);
      this.release();
    }
  }

  private async slot(): Promise<void> {
    if (this.running < (this.o.maxConcurrent ?? 2)) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
