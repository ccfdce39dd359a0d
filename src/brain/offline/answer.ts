/**
 * One caller turn → what to say (a few short sentences) and what to do. Facts come only from
 * the knowledge base: when it has nothing that covers the question the caller hears so, with an
 * offer to take a message or connect them, and never a made-up price, hour or policy.
 * Conversation state (an offer the caller is answering, a message being dictated, "say that
 * again") is read from the last agent turn in the history, so the brain itself keeps no state.
 */
import type { KnowledgeEntryRow } from '../../db/queries/knowledge.js';
import { addressAnswer, emailAnswer, foundedAnswer, hoursAnswer, phoneAnswer, type FactAnswer } from './answer-facts.js';
import type { Intent, IntentKind } from './intent.js';
import type { KnowledgeLookup } from './knowledge-lookup.js';
import { answerSentences, retrieve, similar, stem, type RetrieveOptions } from './retrieve.js';
import { closed, sentences, speakable } from './spoken.js';

export interface AnswerContext {
  lookup: KnowledgeLookup;
  businessName: string;
  greeting: string;
  transferNumber: string | null;
  /** Whether a caller's message can be saved (a takeMessage sink was given). */
  canTakeMessage: boolean;
  lastAgentTurn?: string;
  now: Date;
  timeZone?: string;
}

export interface Reply {
  sentences: string[];
  action?: { type: 'transfer'; reason: string } | { type: 'hang-up'; reason: string };
  sources: KnowledgeEntryRow[];
  /** A message the caller dictated, to save. */
  message?: string;
}

export const LINES = {
  notSure: "I'm not sure about that.",
  anythingElse: 'Is there anything else I can help with?',
  messagePrompt: 'Sure. Please tell me your name, the best number to reach you, and your message.',
  messageTaken: "Thank you, I'll pass that on.",
  unclear: "Sorry, I didn't catch that. Could you say it again?",
  connecting: 'Sure, let me connect you with someone now.',
  which: 'Would you like me to connect you with someone, or take a message?',
};

/** What the agent can offer when it cannot help: only what this agent can really do. */
export function offerLine(ctx: AnswerContext, urgent = false): string | undefined {
  if (urgent && ctx.transferNumber) return "If it's urgent, I can connect you with someone right now.";
  if (ctx.transferNumber && ctx.canTakeMessage) return 'I can take a message, or connect you with someone.';
  if (ctx.transferNumber) return 'I can connect you with someone who can help.';
  if (ctx.canTakeMessage) return 'I can take a message and have someone get back to you.';
  return undefined;
}

const say = (lines: (string | undefined)[], sources: KnowledgeEntryRow[] = []): Reply => ({ sentences: lines.filter((l): l is string => !!l), sources });
const fromFact = (fact: FactAnswer | undefined, missing: string, ctx: AnswerContext): Reply =>
  fact ? say(fact.sentences, fact.sources) : say([`I'm sorry, I don't have ${missing} on file.`, offerLine(ctx) ?? LINES.anythingElse]);
const notSure = (ctx: AnswerContext): Reply => say([LINES.notSure, offerLine(ctx) ?? LINES.anythingElse]);

/** Intent words that say what kind of question it is, not what it is about. */
const SOFT: Partial<Record<IntentKind, string[]>> = {
  prices: ['cost', 'costs', 'price', 'prices', 'pricing', 'charge', 'charges', 'fee', 'fees', 'rate', 'rates', 'expensive', 'cheap', 'quote', 'estimate', 'usually', 'typically', 'average', 'roughly'],
  policies: ['policy', 'policies'],
  payment: ['pay', 'paying', 'payment', 'payments', 'method', 'methods', 'options', 'kinds', 'types', 'forms'],
  booking: ['appointment', 'appointments', 'appt', 'book', 'booking', 'schedule', 'scheduling', 'make', 'set', 'visit'],
  services: ['services', 'service', 'kind', 'kinds', 'types', 'stuff', 'things'],
  emergency: ['emergency', 'emergencies', 'urgent', 'urgently', 'asap', 'help', 'really', 'bad', 'see', 'come', 'out'],
  address: ['parking', 'park', 'directions', 'get', 'there', 'find'],
  area: ['area', 'areas', 'serve', 'service', 'cover', 'travel', 'deliver', 'delivery', 'towns', 'cities', 'far', 'places', 'neighborhoods', 'neighbourhoods'],
};
/** What to search for when the question names nothing but its kind ("how do I book"). */
const DEFAULT_TERMS: Partial<Record<IntentKind, string[]>> = {
  booking: ['schedule', 'appointment'],
  prices: ['price', 'cost'],
  payment: ['payment', 'insurance'],
  policies: ['policy'],
  emergency: ['emergency', 'same', 'day'],
  address: ['parking', 'directions'],
  area: ['area', 'serve'],
};
const ASKING = new Set('offer offers provide provides sell sells carry carries take takes accept accepts make makes fix fixes repair repairs install installs serve serves handle handles treat treats work help do does have has'.split(' '));

const CATEGORIES: Partial<Record<IntentKind, string[]>> = {
  prices: ['pricing', 'services', 'faq'],
  payment: ['payment', 'pricing', 'faq'],
  policies: ['policies', 'booking', 'faq'],
  booking: ['booking', 'faq', 'services'],
  services: ['services', 'products', 'faq'],
  emergency: ['emergency', 'services', 'faq'],
  address: ['location', 'amenities'],
  area: ['service_area', 'location'],
  question: [],
};
/** Facts that have their own templates (answer-facts.ts); a search hit on one is not the answer to anything else. */
const TEMPLATED = new Set(['phone', 'email', 'address', 'hours', 'founded', 'name']);
const PRICE_SIGNAL = /\$\s?\d|\b(cost|costs|price|prices|pricing|priced|fee|fees|charge|charges|free|rate|rates|quote|quotes|estimate|estimates|depends)\b/i;
const URGENT_HELP = /same[- ]day|\bcall (us|our)\b|right away|on-call|emergency line|24\/7/i;

function requiredWords(intent: Intent): string[] {
  const soft = (SOFT[intent.kind] ?? []).map(stem);
  return intent.terms.filter((w) => !ASKING.has(w) && !soft.some((s) => similar(s, stem(w))));
}

/** The best covering entry, as up to two sentences of the site's own words. */
function fromKnowledge(ctx: AnswerContext, intent: Intent, extra: Partial<RetrieveOptions> = {}, lead?: (e: KnowledgeEntryRow, required: string[]) => string | undefined): Reply | undefined {
  const required = requiredWords(intent);
  const terms = intent.terms.length ? intent.terms : (DEFAULT_TERMS[intent.kind] ?? []);
  const hits = retrieve(ctx.lookup, { terms, required, categories: CATEGORIES[intent.kind] ?? [], question: intent.text, ...extra });
  const hit = hits.find((h) => intent.kind === 'question' || !TEMPLATED.has(h.entry.factKey ?? ''));
  if (!hit) return undefined;
  const spoken = answerSentences(hit.entry, required.length ? required : terms, 2, 320, extra.prefer).map(speakable);
  return say([lead?.(hit.entry, required) ?? nameLead(hit.entry), ...spoken], [hit.entry]);
}

/** A team entry is titled with the person's name and its content often omits it ("Founder & Lead Dentist."). */
function nameLead(entry: KnowledgeEntryRow): string | undefined {
  const title = entry.title.trim();
  const person = /^(?:dr\.?\s+)?\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}\.?)?(?:\s+\p{Lu}[\p{L}'-]+){1,2}$/u.test(title) && !/\b(team|care|staff|our|meet|expert|about|services?|patients?|office)\b/i.test(title);
  if (entry.category !== 'team' || !person || entry.content.includes(title)) return undefined;
  return closed(title);
}

/** "Water heaters" answers "can you fix a water heater": say yes in words, then the page's own. */
function serviceLead(entry: KnowledgeEntryRow, required: string[]): string | undefined {
  if (!['services', 'products'].includes(entry.category) || entry.title.trim().endsWith('?') || required.length === 0) return undefined;
  const title = entry.title.split(/\s[–—-]\s/).pop()!.trim();
  const covered = required.every((w) => title.toLowerCase().match(/[\p{L}\p{N}]+/gu)?.some((t) => stem(t).startsWith(stem(w).slice(0, 4))));
  return covered && title.split(/\s+/).length <= 6 ? `Yes, we ${entry.category === 'products' ? 'have' : 'do'} ${speakable(title.toLowerCase())}.` : undefined;
}

/** "What do you do": the site's own overview of its services, else the names of what it offers. */
function overview(ctx: AnswerContext): Reply {
  const services = [...ctx.lookup.byCategory('services'), ...ctx.lookup.byCategory('products')];
  const summary = services.find((e) => /services.*(offer|provide)|what (we|do you) do|our services/i.test(e.title) && e.content.length > 60);
  if (summary) return say(answerSentences(summary, [], 1).map(speakable), [summary]);
  const names = services
    .map((e) => e.title.split(/\s[–—-]\s/).pop()!.trim())
    // Names of things on offer read like "Coffees & Teas" or "Water heaters"; slogans do not.
    .filter((t) => !t.endsWith('?') && t.split(/\s+/).length <= 4 && /&|\band\b|[^s]s$/i.test(t) && !/\b(what|how|why|ready|expect|prepare|services?|more|our|we|you)\b/i.test(t));
  const unique = [...new Set(names.map((n) => n.toLowerCase()))].slice(0, 4);
  if (unique.length === 0) return notSure(ctx);
  const list = unique.length === 1 ? unique[0]! : `${unique.slice(0, -1).join(', ')}, and ${unique.at(-1)}`;
  return say([speakable(`We offer ${list}, among other things.`)], services.slice(0, 4));
}

function conversation(intent: Intent, ctx: AnswerContext): Reply | undefined {
  const last = ctx.lastAgentTurn ?? '';
  const offeredTransfer = /connect you with someone/i.test(last) && !!ctx.transferNumber;
  const offeredMessage = /take (a|an urgent) message/i.test(last) && ctx.canTakeMessage;
  const askedAnythingElse = last.includes(LINES.anythingElse) || /what else can i help/i.test(last);

  if (last.endsWith(LINES.messagePrompt) && !['goodbye', 'human', 'repeat', 'no', 'unclear'].includes(intent.kind)) {
    return { ...say([LINES.messageTaken, LINES.anythingElse]), message: intent.text };
  }
  switch (intent.kind) {
    case 'greeting':
      return say(['Hello! How can I help you today?']);
    case 'thanks':
      return say(["You're welcome!", LINES.anythingElse]);
    case 'goodbye':
      return { ...say([`Thanks for calling ${ctx.businessName}. Goodbye!`]), action: { type: 'hang-up', reason: 'caller said goodbye' } };
    case 'human':
      if (ctx.transferNumber) return { ...say([LINES.connecting]), action: { type: 'transfer', reason: 'caller asked for a person' } };
      return say(["I'm sorry, there's no one available to take the call right now.", ctx.canTakeMessage ? 'I can take a message and have someone call you back.' : LINES.anythingElse]);
    case 'message':
      return ctx.canTakeMessage ? say([LINES.messagePrompt]) : say(["I'm sorry, I can't take messages on this line.", offerLine(ctx) ?? LINES.anythingElse]);
    case 'repeat':
      return say(last ? sentences(last) : [ctx.greeting]);
    case 'yes':
      if (offeredTransfer && offeredMessage) return say([LINES.which]);
      if (offeredTransfer) return { ...say([LINES.connecting]), action: { type: 'transfer', reason: 'caller accepted a transfer' } };
      if (offeredMessage) return say([LINES.messagePrompt]);
      return say([askedAnythingElse ? 'Sure, what can I help you with?' : 'Okay. What else can I help you with?']);
    case 'no':
      if (askedAnythingElse || offeredTransfer || offeredMessage || last.endsWith(LINES.messagePrompt)) {
        return { ...say([`Alright. Thanks for calling ${ctx.businessName}. Goodbye!`]), action: { type: 'hang-up', reason: 'caller needed nothing else' } };
      }
      return say(['Okay.', LINES.anythingElse]);
    case 'unclear':
      return say([LINES.unclear]);
    default:
      return undefined;
  }
}

export function answer(intent: Intent, ctx: AnswerContext): Reply {
  const moved = conversation(intent, ctx);
  if (moved) return moved;
  const { lookup } = ctx;
  switch (intent.kind) {
    case 'hours':
      return fromFact(hoursAnswer(lookup, intent, ctx.now, ctx.timeZone), 'our hours', ctx);
    case 'phone':
      return fromFact(phoneAnswer(lookup), 'a phone number', ctx);
    case 'email':
      return fromFact(emailAnswer(lookup), 'an email address', ctx);
    case 'founded':
      return fromFact(foundedAnswer(lookup), 'when the business started', ctx);
    case 'address': {
      if (intent.aspect === 'address') return fromFact(addressAnswer(lookup), 'our address', ctx);
      const found = fromKnowledge(ctx, intent);
      if (found) return found;
      const address = addressAnswer(lookup);
      return say([`I don't have ${intent.aspect} details on file.`, ...(address?.sentences.slice(0, 1) ?? []), offerLine(ctx)], address?.sources);
    }
    case 'prices': {
      const found = fromKnowledge(ctx, intent, { prefer: PRICE_SIGNAL }, undefined);
      if (found && PRICE_SIGNAL.test(found.sources[0]!.content)) return priceConflict(ctx, found.sources[0]!) ?? found;
      // Name what was asked about when it is a thing ("teeth whitening"), not a wish ("free", "cheapest").
      const item = requiredWords(intent).join(' ');
      const what = !intent.item ? 'our prices' : item && !/\b(free|cheap|cheapest|discount|special|any)\b/.test(item) ? `a price for ${item}` : 'that pricing information';
      return say([`I'm sorry, I don't have ${what} on file.`, offerLine(ctx) ?? LINES.anythingElse]);
    }
    case 'services':
      if (!requiredWords(intent).length) return overview(ctx);
      return fromKnowledge(ctx, intent, {}, serviceLead) ?? notSure(ctx);
    case 'emergency': {
      // A number the site gives for emergencies is the most useful thing to say first.
      const line = ['emergency', 'contact'].flatMap((c) => lookup.byCategory(c)).find((e) => e.factKey === 'emergency_phone');
      if (line) return say([speakable(line.content), offerLine(ctx, true)], [line]);
      const found =
        fromKnowledge(ctx, intent, { lenient: true, prefer: URGENT_HELP }) ??
        fromKnowledge(ctx, { ...intent, terms: ['emergency', 'urgent', 'same', 'day'] }, { lenient: true, prefer: URGENT_HELP });
      const offer = offerLine(ctx, true);
      if (found) return { ...found, sentences: [...found.sentences, ...(offer ? [offer] : [])] };
      return say(["I'm sorry to hear that.", offer ?? offerLine(ctx) ?? 'If anyone is in danger, please call your local emergency number.']);
    }
    default:
      return fromKnowledge(ctx, intent) ?? notSure(ctx);
  }
}

/** Price-list items are single-valued: when two pages price the same thing differently, say both. */
function priceConflict(ctx: AnswerContext, entry: KnowledgeEntryRow): Reply | undefined {
  if (!entry.conflict || !entry.factKey?.startsWith('price:')) return undefined;
  const all = ctx.lookup.byCategory(entry.category).filter((e) => e.factKey === entry.factKey);
  const prices = [...new Set(all.map((e) => e.content.replace(/^[^:]*:\s*/, '').replace(/\.$/, '')))];
  if (prices.length < 2) return undefined;
  const name = entry.factKey.slice('price:'.length);
  return say([`Our website lists more than one price for ${name}.`, speakable(`It gives ${prices.slice(0, 2).join(', and also ')}.`)], all);
}
