import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import { auditQueries } from '../db/queries/audit.js';
import type { AgentRow } from '../db/queries/agents.js';
import type { JobRow } from '../db/queries/jobs.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { CrawlJobs, JobContext, JobStage } from '../knowledge/crawl-jobs.js';
import type { Logger } from '../observability/logger.js';
import { projectRoot } from '../paths.js';
import { provisionNumber, TWILIO_NOT_CONFIGURED } from '../telephony/number-provisioning.js';
import type { TwilioRest } from '../telephony/twilio-rest.js';
import { siteProfile, type SiteProfile } from './site-profile.js';

const TEMPLATE = readFileSync(join(projectRoot, 'prompts', 'agent-from-url.md'), 'utf8').replace(/<!--[\s\S]*?-->\s*/, '');

export interface AgentFromUrlOptions {
  jobs: CrawlJobs;
  database: DatabaseHandle;
  config: Config;
  log: Logger;
  /** Absent when Twilio is not configured: a requested number then fails the provision stage. */
  twilio?: TwilioRest;
}

export interface AgentFromUrlRequest {
  url: string;
  /** The owner's name for the agent; it wins over the name the site gives. */
  name?: string;
  provisionNumber?: boolean;
  areaCode?: string;
  /** Who asked (an API key id), for the audit log. */
  actor: string;
}

interface BuildContext extends JobContext {
  request: AgentFromUrlRequest;
  /** Set once the configure stage has written the agent. */
  configured: boolean;
  profile?: SiteProfile;
}

/**
 * An agent from a website, as one job: crawl → extract → categorize (the knowledge pipeline) →
 * configure (name, greeting, persona and instructions, transfer number, all from the site) →
 * provision (a Twilio number, when asked) → ready. The agent row exists from the start, marked
 * `building`, so its id can be returned at once; it becomes `active` when the job ends, unless
 * the job failed before the agent was configured (then `disabled`, knowledge kept, until the
 * owner fixes the website and re-crawls, or edits the agent).
 */
export class AgentFromUrl {
  constructor(private readonly o: AgentFromUrlOptions) {}

  start(scope: TenantScope, request: AgentFromUrlRequest): { agent: AgentRow; job: JobRow } {
    const agent = scope.agents.create({ name: request.name ?? placeholderName(request.url), websiteUrl: request.url, status: 'building' });
    const stages: JobStage<BuildContext>[] = [...this.o.jobs.knowledgeStages(), this.configureStage()];
    if (request.provisionNumber) stages.push(this.provisionStage());
    const job = this.o.jobs.launch<BuildContext>(scope, agent.id, request.url, {
      kind: 'from_url',
      stages,
      finalStage: 'ready',
      context: (base) => ({ ...base, request, configured: false }),
      finish: (context, outcome) => this.finish(context, outcome),
    });
    auditQueries(this.o.database.db).record({
      tenantId: scope.tenantId,
      actor: request.actor,
      action: 'agent.created',
      targetType: 'agent',
      targetId: agent.id,
      details: { source: 'url', url: request.url, jobId: job.id, provisionNumber: Boolean(request.provisionNumber) },
    });
    return { agent, job };
  }

  /** Name, greeting, persona and instructions, transfer number: from the site, the owner's name first. */
  private configureStage(): JobStage<BuildContext> {
    return {
      name: 'configure',
      weight: 3,
      run: (context) => {
        const profile = siteProfile(context.crawl?.pages ?? [], context.facts ?? [], context.url);
        context.profile = profile;
        const current = context.scope.agents.get(context.agentId);
        if (!current) throw new Error('the agent was deleted while it was being built');
        const name = context.request.name ?? profile.name ?? current.name;
        const instructions = fillTemplate(TEMPLATE, {
          business_name: name,
          business_kind: describeKind(profile.businessType),
          about: profile.summary ? ensurePeriod(profile.summary) : 'The website gives no description; answer from the facts you have.',
          services: profile.services.length ? `${profile.services.join(', ')}.` : 'The website lists no specific services; answer from the facts you have.',
          website: context.url,
          transfer: profile.phone
            ? `When a caller asks for a person, or you cannot help and they want to speak to someone, transfer the call to the business's number, ${profile.phone}.`
            : 'No number to transfer calls to is set: when a caller asks for a person, take a message with their name and call-back number instead.',
          emergency: (context.facts ?? []).some((f) => f.category === 'emergency')
            ? 'If a caller describes an emergency, give them the emergency information from the facts first, before anything else.'
            : '',
        });
        const agent = context.scope.agents.update(context.agentId, {
          name,
          greeting: `Thanks for calling ${name}, how can I help you today?`.slice(0, 500),
          instructions,
          transferNumber: profile.phone ?? null,
        });
        if (!agent) throw new Error('the agent was deleted while it was being built');
        context.configured = true;
        context.stats['site'] = {
          name: profile.name ?? null,
          nameSource: profile.name ? profile.nameSource : null,
          phone: profile.phone ?? null,
          phoneSource: profile.phone ? profile.phoneSource : null,
          nameGiven: context.request.name !== undefined,
        };
      },
    };
  }

  /** A Twilio number, bought and routed to the agent, the same way POST /api/phone-numbers/provision does it. */
  private provisionStage(): JobStage<BuildContext> {
    return {
      name: 'provision',
      weight: 5,
      run: async (context) => {
        if (!this.o.twilio) throw new Error(`${TWILIO_NOT_CONFIGURED}, so no phone number could be provisioned; the agent and its knowledge are kept`);
        const row = await provisionNumber({
          rest: this.o.twilio,
          database: this.o.database,
          scope: context.scope,
          log: context.log,
          publicUrl: this.o.config.publicUrl,
          agentId: context.agentId,
          areaCode: context.request.areaCode,
          actor: context.request.actor,
        });
        context.stats['phoneNumber'] = { id: row.id, number: row.number };
      },
    };
  }

  private finish(context: BuildContext, outcome: { ok: true } | { ok: false; stage: string; error: Error }): void {
    // A configured agent can take calls even when its number could not be bought; one with no
    // configuration (the site could not be read) waits disabled for the owner.
    const status = outcome.ok || context.configured ? 'active' : 'disabled';
    context.scope.agents.update(context.agentId, { status });
  }
}

/** The URL's host, until the site says what the business is called. */
export function placeholderName(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '').slice(0, 100) || url.slice(0, 100);
  } catch {
    return url.slice(0, 100);
  }
}

/** `{{name}}` → value, for every placeholder; one left unfilled is a bug, not a prompt. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const filled = template.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
  const missing = /\{\{(\w+)\}\}/.exec(filled);
  if (missing) throw new Error(`the agent template has a placeholder with no value: ${missing[0]}`);
  return filled.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

const KINDS: Record<string, string> = {
  Dentist: 'a dental practice',
  Physician: "a doctor's practice",
  MedicalClinic: 'a medical clinic',
  CafeOrCoffeeShop: 'a coffee shop',
  Restaurant: 'a restaurant',
  Plumber: 'a plumbing business',
  Electrician: 'an electrical contractor',
  HVACBusiness: 'a heating and air conditioning business',
  AutoRepair: 'an auto repair shop',
  HairSalon: 'a hair salon',
  BeautySalon: 'a beauty salon',
  LegalService: 'a law firm',
  Attorney: 'a law firm',
  RealEstateAgent: 'a real estate agency',
};

/** "HomeAndConstructionBusiness" → "a home and construction business". */
function describeKind(type: string | undefined): string {
  if (!type) return 'a local business';
  if (KINDS[type]) return KINDS[type];
  const words = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

function ensurePeriod(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
