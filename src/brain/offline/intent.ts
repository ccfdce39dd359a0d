/**
 * What a caller wants, from one speech-to-text utterance (lower case, no punctuation, full of
 * "um" and "so yeah"). Keyword and pattern based, so it is deterministic and explainable: the
 * first rule that matches wins, and the order below is the precedence (an emergency beats a
 * price question; "when did you open" is about the founding, not the hours).
 */

export type IntentKind =
  | 'greeting' | 'thanks' | 'goodbye' | 'human' | 'message' | 'yes' | 'no' | 'repeat'
  | 'emergency' | 'policies' | 'payment' | 'prices' | 'booking' | 'founded' | 'hours'
  | 'phone' | 'email' | 'address' | 'area' | 'services' | 'question' | 'unclear';

export interface Intent {
  kind: IntentKind;
  /** The utterance, normalised: lower case, no punctuation or apostrophes, disfluencies removed. */
  text: string;
  /** Content words (stop words and fillers removed): what to search the knowledge for. */
  terms: string[];
  /** Days asked about, Monday = 0 … Sunday = 6 (as in knowledge/extract/hours-parse.ts). */
  days?: number[];
  /** A relative day ("today", "tomorrow"), resolved against the clock when answering. */
  when?: 'today' | 'tomorrow';
  /** A holiday named in an hours question ("thanksgiving"). */
  holiday?: string;
  /** For address questions: the street address itself, or parking, or directions. */
  aspect?: 'address' | 'parking' | 'directions';
  /** For prices and services: the thing asked about ("service call", "teeth whitening"). */
  item?: string;
}

const FILLERS = /\b(?:um+|uh+m*|erm?|ah+|hm+|mm+|you know|i mean|so yeah|yeah so|okay so|ok so|kind of|sort of|basically|actually)\b/g;

/** Words that never carry the topic of a question. */
const STOP = new Set(
  ('a an the and or but if of to for in on at by with from about as into than then so very really just also too ' +
    'i im ive id me my mine we were our ours us you youre your yours yall guys folks he she it its they them their this that these those there theres here ' +
    'is are was were be been being am do does did doing done have has had having can could would should will wont shall may might must ' +
    'what whats which who whos whom when where wheres why how hows dont doesnt didnt cant isnt arent ' +
    'please hi hello hey okay ok yes yeah no not well like wondering wonder whether know tell let lets get got any anything some something ' +
    'one want wanted need needed looking look trying try go going gonna wanna hoping calling asking ask question quick much many more ' +
    'guess think maybe still again right now today tomorrow sure thanks thank see come came use say said talk speak give put bring ' +
    'able possible currently usually anyone someone somebody anybody everyone').split(/\s+/),
);

/** Verbs and frames of "do you do X" questions: not the X. */
const ASK_VERBS = new Set('offer offers provide provides sell sells carry carries take takes accept accepts make makes fix fixes repair repairs install installs serve serves handle handles treat treats work help do does have has'.split(' '));

const DAYS: [RegExp, number[]][] = [
  [/\bmondays?\b/, [0]], [/\btuesdays?\b/, [1]], [/\bwednesdays?\b/, [2]], [/\bthursdays?\b/, [3]],
  [/\bfridays?\b/, [4]], [/\bsaturdays?\b/, [5]], [/\bsundays?\b/, [6]],
  [/\bweekends?\b/, [5, 6]], [/\bweekdays?\b/, [0, 1, 2, 3, 4]],
];
const HOLIDAY = /\b(christmas(?: eve)?|new years?(?: eve| day)?|thanksgiving|easter|memorial day|labor day|labour day|independence day|fourth of july|4th of july|july 4th|halloween|black friday|boxing day|holidays?)\b/;

const has = (text: string, re: RegExp) => re.test(text);

/** Lower case, no punctuation or apostrophes ("what's" → "whats"), fillers gone, spaces collapsed. */
export function normalise(utterance: string): string {
  return ` ${utterance.toLowerCase().replace(/[’‘`']/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ')} `
    .replace(FILLERS, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:so|well|and|oh|okay|ok|alright|right)\s+(?=\S+\s)/, '');
}

/** Content words: what is left of the utterance once stop words are gone. */
export function contentTerms(text: string): string[] {
  return [...new Set(text.split(' ').filter((w) => w.length > 1 && !STOP.has(w)))];
}

const ONLY = (words: string) => new RegExp(`^(?:${words})(?: (?:${words}))*$`);
const YES = ONLY('yes|yeah|yep|yup|sure|please|ok|okay|alright|go ahead|that would be great|sounds good|absolutely|definitely|of course|correct|right|i would|yes please');
const NO = ONLY('no|nope|nah|not really|no thanks|no thank you|thanks|thank you|im good|im okay|im fine|all good|not now|dont|i dont');
const GREETING = ONLY('hi|hello|hey|hiya|there|good morning|good afternoon|good evening|howdy|how are you|how are you doing|yes|yeah|is this|who is this|whos this');

const GOODBYE = /\b(bye|goodbye|bye bye|thats all|thats it|that is all|thats everything|nothing else|im done|have a (good|nice|great) (day|one|night|evening)|hang up|talk (to you )?later|take care)\b/;
const THANKS = /\b(thanks|thank you|thank u|appreciate it|much appreciated|cheers)\b/;
const HUMAN_WORD = /\b(human|real person|a person|actual person|live person|somebody|someone|representative|rep|operator|receptionist|manager|owner|staff member|front desk|agent)\b/;
const HUMAN = new RegExp(
  String.raw`\b(talk|speak|connect|transfer|put me through|get me|reach|chat)\b.*${HUMAN_WORD.source}|^(?:a |the )?(human|person|representative|operator|receptionist|manager|agent)( please)?$|\bis (the )?(manager|owner|receptionist|doctor|dentist) (in|there|available)\b`,
);
const MESSAGE = /\b(leave|take|give) (a |him a |her a |them a )?message\b|\b(call|ring) me back\b|\bcallback\b|\bhave (someone|somebody) call\b/;
const REPEAT = /\b(say (that|it) again|repeat (that|it|yourself)?|come again|pardon|one more time|didnt (catch|hear|get) (that|it|you)|what did you (just )?say|sorry what|say again|missed that)\b|^(what|sorry|huh|pardon me)$/;

const EMERGENCY = /\b(emergency|emergencies|urgent|urgently|asap|burst|bursting|flood|flooded|flooding|gushing|overflowing|no water|gas (leak|smell)|toothache|tooth ache|severe pain|in (a lot of )?pain|knocked out|broken tooth|cracked tooth|bleeding|swelling|swollen|abscess|after hours|same day)\b|\bcome (out )?(right away|now|today|tonight)\b/;
const POLICIES = /\b(cancel|cancels|canceling|cancelling|cancellation|cancellations|no show|refund|refunds|return|returns|exchange|warranty|warranties|guarantee|guaranteed|guarantees|policy|policies|privacy|terms)\b/;
const PAYMENT = /\b(insurance|insurances|pay|paying|payment|payments|credit cards?|debit|cash|checks?|cheques?|financing|finance|carecredit|venmo|apple pay|google pay|paypal|zelle|hsa|fsa|medicaid|medicare|ppo|hmo|copay|co pay|deposit|invoice|billing)\b/;
const PRICES = /\bhow much\b(?! (time|longer|long))|\b(cost|costs|price|prices|pricing|priced|charge|charges|fee|fees|rate|rates|expensive|cheap|afford|affordable|quote|quotes|estimate|estimates|dollars|bucks)\b/;
const BOOKING = /\b(appointment|appointments|appt|book|booking|schedule|scheduling|reschedule|reserve|reservation|reservations|walk in|walk ins|walkin|walkins|availability|next available|openings|slot|slots|consultation|see the (doctor|dentist)|(see|fit|get|squeeze) me in|see me)\b/;
const FOUNDED = /\b(been around|been in business|in business|founded|established|how old is|since when|when did you (first )?(start|open|begin)|your history|how long have you)\b/;
const HOURS = /\b(hours|open|opening|opens|close|closing|closes|closed|what time|when do you|how late|how early|until when|til when)\b/;
const PHONE = /\b(phone|telephone|number to call|your number|the number|call you|reach you|text you|fax|cell)\b/;
const EMAIL = /\b(email|e mail|emailing|mail address)\b/;
const PARKING = /\b(parking|park|car park|garage)\b/;
const DIRECTIONS = /\b(directions|get there|get to you|how do i get|how to get|find you|landmark|cross street|near|nearby|close to|how far|bus|train|subway|public transport|transit)\b/;
const ADDRESS = /\b(address|located|location|locations|where are you|where is|wheres|what street|which street|what city|where exactly|street)\b/;
const AREA = /\b(what|which) (areas?|towns|cities|places|neighbou?rhoods|zip codes)\b|\bservice areas?\b|\b(do|will|can) you (guys )?(come|travel|go|deliver|service|serve|cover)( out)? (to|in)\b|\bhow far (do|will) you\b|\b(in|cover) my area\b/;
const SERVICES = /\b(services?|what do you (do|offer|sell|have|make)|what you do|what kind of|menu|products?|specialize|specialise)\b|\b(do|can|could) you (guys )?(do|offer|provide|sell|carry|have|make|fix|repair|install|serve|handle|treat|work on|help with|clean|replace)\b|\b(do|does) (the|your) \w+ (do|offer|have)\b/;

/** The days an utterance names, and any relative day or holiday. */
export function daysAsked(text: string): Pick<Intent, 'days' | 'when' | 'holiday'> {
  const days = new Set<number>();
  for (const [re, list] of DAYS) if (re.test(text)) for (const d of list) days.add(d);
  const out: Pick<Intent, 'days' | 'when' | 'holiday'> = {};
  if (days.size) out.days = [...days].sort((a, b) => a - b);
  if (/\b(today|tonight|right now|now|this (morning|afternoon|evening))\b/.test(text)) out.when = 'today';
  else if (/\btomorrow\b/.test(text)) out.when = 'tomorrow';
  const holiday = HOLIDAY.exec(text)?.[1];
  if (holiday) out.holiday = holiday;
  return out;
}

/** The thing asked about: content words with the asking verbs and the intent's own words removed. */
function itemOf(terms: string[], drop: RegExp): string | undefined {
  const words = terms.filter((w) => !ASK_VERBS.has(w) && !drop.test(w));
  return words.length ? words.join(' ') : undefined;
}

export function classify(utterance: string): Intent {
  const text = normalise(utterance);
  const terms = contentTerms(text);
  const base = { text, terms };
  if (!text) return { kind: 'unclear', ...base };

  // Conversation moves first; a question inside them ("thanks, and where are you") wins below.
  if (GOODBYE.test(text)) return { kind: 'goodbye', ...base };
  if (HUMAN.test(text)) return { kind: 'human', ...base };
  if (MESSAGE.test(text)) return { kind: 'message', ...base };
  if (REPEAT.test(text)) return { kind: 'repeat', ...base };
  if (NO.test(text)) return { kind: THANKS.test(text) && !/\bno\b/.test(text) ? 'thanks' : 'no', ...base };
  if (YES.test(text)) return { kind: 'yes', ...base };
  if (GREETING.test(text)) return { kind: 'greeting', ...base };

  const question = classifyQuestion(text, terms);
  if (question) return question;
  if (THANKS.test(text)) return { kind: 'thanks', ...base };
  // "hello is this the dental clinic": a greeting that checks who answered, not a question.
  if (/^(hi|hello|hey|good (morning|afternoon|evening))\b/.test(text) && (terms.length === 0 || /\b(is this|am i speaking|have i reached|how are you)\b/.test(text))) {
    return { kind: 'greeting', ...base };
  }
  return { kind: terms.length ? 'question' : 'unclear', ...base };
}

function classifyQuestion(text: string, terms: string[]): Intent | undefined {
  const base = { text, terms };
  if (has(text, EMERGENCY)) return { kind: 'emergency', ...base };
  if (has(text, POLICIES)) return { kind: 'policies', ...base };
  if (has(text, PAYMENT) && !/\binsured\b/.test(text)) return { kind: 'payment', ...base };
  if (has(text, PRICES)) return { kind: 'prices', ...base, ...opt('item', itemOf(terms, /^(costs?|prices?|pricing|charges?|fees?|rates?|expensive|cheap|quotes?|estimates?|usually|typically|average)$/)) };
  if (has(text, BOOKING)) return { kind: 'booking', ...base, ...daysAsked(text) };
  if (has(text, FOUNDED)) return { kind: 'founded', ...base };
  if (has(text, PHONE) && !/\bnumber of\b/.test(text)) return { kind: 'phone', ...base };
  if (has(text, EMAIL)) return { kind: 'email', ...base };
  if (has(text, PARKING)) return { kind: 'address', aspect: 'parking', ...base };
  if (has(text, HOURS) && !/\b(how close|close to|close by)\b/.test(text)) return { kind: 'hours', ...base, ...daysAsked(text) };
  if (has(text, DIRECTIONS)) return { kind: 'address', aspect: 'directions', ...base };
  if (has(text, ADDRESS)) return { kind: 'address', aspect: 'address', ...base };
  if (has(text, AREA)) return { kind: 'area', ...base };
  if (has(text, SERVICES)) return { kind: 'services', ...base, ...opt('item', itemOf(terms, /^(services?|products?|kind|menu)$/)) };
  // A bare day ("what about saturday") follows an hours question far more often than anything else.
  const days = daysAsked(text);
  if (days.days || days.holiday) return { kind: 'hours', ...base, ...days };
  return undefined;
}

function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
