import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { AgentRow } from '../db/queries/agents.js';
import type { JobRow } from '../db/queries/jobs.js';
import { tenantScope, type TenantScope } from '../db/tenant-scope.js';
import type { Logger } from '../observability/logger.js';
import { crawlSite } from './crawler/crawler.js';
import type { CrawlResult, PageRenderer, SkippedUrl } from './crawler/crawl-types.js';
import type { LlmCategorizer } from './categorize/llm-categorizer.js';
import { extractFacts } from './extract/extract-facts.js';
import type { ExtractedFact } from './extract/fact-types.js';
import type { JobEvents } from './job-events.js';
import { syncCrawledKnowledge, type ChangeSummary } from './knowledge-sync.js';

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

/** What the stages of one job share: who it is for, and what earlier stages produced. */
export interface JobContext {
  readonly job: JobRow;
  readonly scope: TenantScope;
  readonly agentId: string;
  /** The website the job reads. */
  readonly url: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Served as the job's `stats`: each stage adds its own numbers. */
  readonly stats: Record<string, unknown>;
  /** Set by the crawl stage. */
  crawl?: CrawlResult;
  /** Set by the extract stage: the deterministic extractor's facts, one list per crawled page. */
  pageFacts?: ExtractedFact[][];
  /** Set by the categorize stage: every fact filed, and what changed in the knowledge base. */
  facts?: ExtractedFact[];
  knowledge?: ChangeSummary;
}

/** One step of a job. Stages are composed into pipelines (a re-crawl, an agent built from a URL…). */
export interface JobStage<C extends JobContext = JobContext> {
  /** Shown as the job's `stage` while it runs, and named in the error when it fails. */
  name: string;
  /** Its share of the progress bar, relative to the other stages of the pipeline. */
  weight: number;
  /** `progress(fraction)` reports how far this stage is, 0..1. */
  run(context: C, progress: (fraction: number) => void): Promise<void> | void;
}

export interface Pipeline<C extends JobContext = JobContext> {
  kind: JobRow['kind'];
  stages: JobStage<C>[];
  /** The stage a succeeded job shows ('done', 'ready'). */
  finalStage: string;
  /** The context the stages share; the default is the base context itself. */
  context?: (base: JobContext) => C;
  /**
   * Runs once after the last stage, or after the stage that failed, before the job is reported as
   * finished (so a client that sees `succeeded` also sees what this wrote). It must not throw.
   */
  finish?: (context: C, outcome: { ok: true } | { ok: false; stage: string; error: Error }) => void;
}

/** Progress before the first stage starts: a queued job shows 0, a running one a little more. */
const RUNNING_FLOOR = 0.02;

/**
 * Jobs that read a website, with a stage and a progress fraction that the API serves and streams.
 * A job is a pipeline of stages (crawl → extract → categorize for a re-crawl; more for an agent
 * built from a URL), run in order over one shared context. At most `maxConcurrent` jobs run at once
 * (calls come first on a small VM); the rest wait queued. A re-crawl is one per agent: asking again
 * while one is queued or running returns that one.
 */
export class CrawlJobs {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(private readonly o: CrawlJobsOptions) {}

  /** Re-crawls an agent's website into its knowledge: crawl → extract → categorize. */
  start(scope: TenantScope, agent: AgentRow, url: string): { job: JobRow; alreadyRunning: boolean } {
    const active = scope.jobs.activeForAgent(agent.id);
    if (active) return { job: active, alreadyRunning: true };
    const job = this.launch(scope, agent.id, url, { kind: 'crawl', stages: this.knowledgeStages(), finalStage: 'done' });
    return { job, alreadyRunning: false };
  }

  /** Creates a queued job for the pipeline and runs it in the background. */
  launch<C extends JobContext>(scope: TenantScope, agentId: string, url: string, pipeline: Pipeline<C>): JobRow {
    const job = scope.jobs.create({ kind: pipeline.kind, agentId, status: 'queued', stage: 'queued', progress: 0 });
    this.o.events.publish(job);
    void this.run(job, scope.tenantId, agentId, url, pipeline);
    return job;
  }

  /** The stages that turn a website into an agent's knowledge, for composing into a pipeline. */
  knowledgeStages(): JobStage[] {
    return [
      crawlStage({ allowPrivate: this.o.config.crawl.allowPrivate, maxPages: this.o.maxPages ?? 50, renderer: this.o.renderer }),
      extractStage(),
      categorizeStage({ database: this.o.database, llmCategorizer: this.o.llmCategorizer }),
    ];
  }

  /** Aborts jobs in flight (they are recorded as failed) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const controller of this.controllers) controller.abort(new Error('server shutting down'));
  }

  private async run<C extends JobContext>(job: JobRow, tenantId: string, agentId: string, url: string, pipeline: Pipeline<C>): Promise<void> {
    const scope = tenantScope(this.o.database.db, tenantId);
    const log = this.o.log.child({ jobId: job.id, tenantId, agentId, kind: pipeline.kind });
    const controller = new AbortController();
    this.controllers.add(controller);
    const base: JobContext = { job, scope, agentId, url, signal: controller.signal, log, stats: {} };
    const context = pipeline.context ? pipeline.context(base) : (base as C);

    let lastWrite = 0;
    let shown = 0;
    const report = (patch: Partial<JobRow>, force = false) => {
      if (!force && Date.now() - lastWrite < 250) return;
      lastWrite = Date.now();
      // Progress never goes backwards, whatever a stage reports.
      if (patch.progress !== undefined) patch = { ...patch, progress: (shown = Math.max(shown, patch.progress)) };
      const row = scope.jobs.update(job.id, patch);
      if (row) this.o.events.publish(row);
    };
    const total = pipeline.stages.reduce((sum, s) => sum + s.weight, 0) || 1;
    let before = 0; // weight of the stages already done
    let stage = pipeline.stages[0]?.name ?? 'queued';
    const timings: { stage: string; ms: number }[] = [];

    await this.slot();
    const started = Date.now();
    try {
      if (this.closed) throw new Error('server shutting down');
      report({ status: 'running', stage, progress: RUNNING_FLOOR, startedAt: new Date() }, true);
      for (const step of pipeline.stages) {
        stage = step.name;
        const at = (fraction: number) => RUNNING_FLOOR + (1 - RUNNING_FLOOR) * ((before + step.weight * clamp01(fraction)) / total);
        report({ stage, progress: at(0) }, true);
        const stageStarted = Date.now();
        await step.run(context, (fraction) => report({ progress: at(fraction) }));
        timings.push({ stage: step.name, ms: Date.now() - stageStarted });
        controller.signal.throwIfAborted();
        before += step.weight;
      }
      pipeline.finish?.(context, { ok: true });
      const stats: Record<string, unknown> = { ...context.stats, stages: timings, durationMs: Date.now() - started };
      report({ status: 'succeeded', stage: pipeline.finalStage, progress: 1, stats, finishedAt: new Date() }, true);
      log.info({ event: `${pipeline.kind}.succeeded`, pages: stats['pages'], added: stats['added'], durationMs: stats.durationMs }, 'job finished');
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      try {
        pipeline.finish?.(context, { ok: false, stage, error });
      } catch (finishError) {
        log.error({ err: finishError }, 'job clean-up after a failure failed');
      }
      const stats = { ...context.stats, stages: timings, durationMs: Date.now() - started };
      report({ status: 'failed', error: `${stage} failed: ${error.message}`, finishedAt: new Date(), stats }, true);
      log.warn({ event: `${pipeline.kind}.failed`, stage, err: error }, 'job failed');
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

/** Fetches the site (static, or rendered when a page needs JavaScript). No page read is a failure. */
export function crawlStage(o: { allowPrivate: boolean; maxPages: number; renderer: () => PageRenderer }): JobStage {
  return {
    name: 'crawl',
    weight: 70,
    async run(context, progress) {
      const crawl = await crawlSite(context.url, {
        allowPrivate: o.allowPrivate,
        maxPages: o.maxPages,
        renderer: o.renderer(),
        signal: context.signal,
        // Pages fetched out of those known so far (the site is rarely as big as the page budget).
        onProgress: ({ fetched, queued }) => progress(fetched / Math.min(o.maxPages, fetched + queued + 1)),
      });
      context.crawl = crawl;
      Object.assign(context.stats, {
        pages: crawl.stats.pagesFetched,
        rendered: crawl.stats.pagesRendered,
        skipped: crawl.skipped.length,
        skippedByReason: countBy(crawl.skipped.map((s) => s.reason)),
      });
      if (crawl.pages.length === 0) throw new Error(`could not read ${context.url}: ${whyUnread(crawl.skipped[0])}`);
    },
  };
}

/** The deterministic extractor, page by page: contacts, hours, prices, FAQ pairs, sections. */
export function extractStage(): JobStage {
  return {
    name: 'extract',
    weight: 10,
    async run(context, progress) {
      const pages = requireCrawl(context).pages;
      const pageFacts: ExtractedFact[][] = [];
      for (const [i, page] of pages.entries()) {
        pageFacts.push(extractFacts(page));
        progress((i + 1) / pages.length);
        // A big site is many milliseconds of parsing: let calls and requests in between pages.
        await new Promise<void>((resolve) => setImmediate(resolve));
        context.signal.throwIfAborted();
      }
      context.pageFacts = pageFacts;
    },
  };
}

/**
 * Files the facts into the 18 categories and saves them as the agent's crawled knowledge. With a
 * language model, the model files each page's prose; single-valued facts (phone, hours…) always
 * come from the deterministic extractor too, so conflicts between pages are still seen.
 */
export function categorizeStage(o: { database: DatabaseHandle; llmCategorizer?: (scope: TenantScope) => LlmCategorizer }): JobStage {
  return {
    name: 'categorize',
    weight: 15,
    async run(context, progress) {
      const pages = requireCrawl(context).pages;
      const found = context.pageFacts ?? pages.map((page) => extractFacts(page));
      const llm = o.llmCategorizer?.(context.scope);
      const facts: ExtractedFact[] = [];
      for (const [i, page] of pages.entries()) {
        const deterministic = found[i] ?? [];
        const fromModel = llm ? await llm.categorize(page, { url: context.url }, context.signal) : undefined;
        facts.push(...(fromModel ? [...deterministic.filter((f) => f.factKey), ...fromModel] : deterministic));
        progress(((i + 1) / pages.length) * 0.9);
      }
      context.signal.throwIfAborted();
      const summary = syncCrawledKnowledge(o.database, context.scope, context.agentId, facts);
      context.facts = facts;
      context.knowledge = summary;
      Object.assign(context.stats, {
        facts: facts.length,
        added: summary.added,
        updated: summary.updated,
        removed: summary.removed,
        unchanged: summary.unchanged,
        conflicts: summary.conflicts,
        ...(llm ? { llm: llm.usage } : {}),
        changes: summary.changes.slice(0, 100),
      });
    },
  };
}

function requireCrawl(context: JobContext): CrawlResult {
  if (!context.crawl) throw new Error('no crawl to work from (the crawl stage must come first)');
  return context.crawl;
}

/** Why the start page could not be read, in words an owner can act on. */
function whyUnread(skip: SkippedUrl | undefined): string {
  if (!skip) return 'no pages';
  const detail = skip.detail ? ` (${skip.detail})` : '';
  switch (skip.reason) {
    case 'private_address':
      return `private_address: it points at a private or loopback address, which the crawler refuses${detail}`;
    case 'network_error':
      return `network_error: the site could not be reached${detail}`;
    case 'timeout':
      return `timeout: the site did not answer in time${detail}`;
    case 'robots':
      return `robots: the site's robots.txt does not allow crawling it${detail}`;
    default:
      return `${skip.reason}${detail}`;
  }
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
