import { categories } from '../categories.js';

/**
 * Keyword weights per category for the deterministic categoriser: a curated list (what callers
 * and small-business sites actually say) plus the words of each category's description and
 * examples in knowledge/categories.json that no other category uses, so editing the taxonomy
 * file moves the scores too. Phrases match on word boundaries, case-insensitively.
 */

const CURATED: Record<string, Record<string, number>> = {
  about: {
    'about us': 4, 'our story': 4, 'who we are': 4, founded: 3, established: 3, 'family-owned': 3, 'family owned': 3,
    'locally owned': 3, 'our mission': 3, mission: 2, 'our values': 3, values: 1, history: 2, 'our approach': 2,
    philosophy: 2, vision: 1, 'why choose us': 2, 'what sets us apart': 3, difference: 1, since: 1, 'our promise': 2,
    promise: 1, 'our cafe': 2, roots: 1, community: 1, 'our journey': 3,
  },
  hours: {
    hours: 3, 'opening hours': 5, 'office hours': 5, 'business hours': 5, open: 1, closed: 2, 'we\'re open': 3,
    monday: 1, tuesday: 1, wednesday: 1, thursday: 1, friday: 1, saturday: 1, sunday: 1, 'holiday hours': 5,
    weekdays: 1, weekends: 1,
  },
  location: {
    address: 3, directions: 4, located: 2, location: 3, parking: 4, 'free parking': 4, landmark: 2, 'public transport': 4,
    transit: 3, bus: 2, subway: 3, train: 2, highway: 3, exit: 1, 'find us': 4, 'visit us': 3, map: 2, 'getting here': 4,
    downtown: 2, garage: 2, blocks: 1, miles: 1, 'walking distance': 2, rideshare: 2, taxi: 2, nearby: 1,
  },
  contact: {
    contact: 3, 'contact us': 4, phone: 3, 'call us': 3, email: 3, 'e-mail': 3, 'reach us': 3, 'get in touch': 4,
    'social media': 3, facebook: 2, instagram: 2, 'message us': 3, 'text us': 3, 'send us': 2, inquiry: 2,
  },
  services: {
    services: 3, service: 1, 'we offer': 2, 'we provide': 2, repair: 2, repairs: 2, installation: 2, installations: 2,
    install: 2, installs: 2, treatment: 2, treatments: 2, procedure: 2, procedures: 2, cleaning: 1, cleanings: 1,
    maintenance: 1, diagnosis: 1, diagnostic: 1, 'what we do': 3, specialize: 2, hookup: 2, hookups: 2,
    dentistry: 2, whitening: 2, veneers: 2, fillings: 2, 'check-up': 1, 'check-ups': 1, exams: 1, leak: 1, leaks: 1,
    clogs: 1, 'water heater': 2, faucet: 1, toilet: 1,
  },
  products: {
    products: 4, product: 2, menu: 3, brands: 2, brand: 1, 'in stock': 3, 'we sell': 3, 'we carry': 3, beverage: 2,
    beverages: 2, drinks: 2, food: 1, blends: 3, bakery: 3, snacks: 2, meals: 2, catalog: 2, merchandise: 3,
    coffee: 1, coffees: 2, tea: 1, teas: 2, 'baked goods': 3, cappuccino: 2, beans: 2,
  },
  pricing: {
    price: 3, prices: 4, pricing: 4, cost: 3, costs: 3, fee: 3, fees: 3, rate: 2, rates: 3, quote: 3, estimate: 2,
    estimates: 2, 'free estimate': 4, 'call-out': 3, 'flat rate': 4, hourly: 3, $: 3, affordable: 1, charge: 2,
    'how much': 4, 'service call': 2, 'no surprises': 1,
  },
  booking: {
    book: 3, booking: 4, appointment: 3, appointments: 3, schedule: 2, scheduling: 2, reschedule: 4, reservation: 4,
    reservations: 4, reserve: 2, 'walk-in': 4, 'walk-ins': 4, 'walk in': 3, 'new patients': 2, 'what to bring': 4,
    'book online': 4, 'online booking': 4, 'first visit': 2, 'your visit': 1, cancel: 2, 'request service': 2,
  },
  payment: {
    insurance: 3, 'insurance plans': 5, 'dental insurance': 4, 'credit card': 4, 'credit cards': 4, debit: 3, cash: 2,
    checks: 2, financing: 4, 'payment plan': 5, 'payment plans': 5, payment: 3, payments: 3, pay: 2, visa: 3,
    mastercard: 3, 'american express': 3, deposit: 3, invoice: 3, invoicing: 3, carecredit: 4, hsa: 3, fsa: 3,
    ppo: 3, 'co-pay': 3, 'co-pays': 3, copay: 3, billing: 3, 'out-of-pocket': 3,
  },
  policies: {
    policy: 3, policies: 4, cancellation: 4, refund: 4, refunds: 4, returns: 3, warranty: 4, guarantee: 2,
    guaranteed: 2, 'satisfaction guarantee': 4, 'money-back': 4, privacy: 4, 'privacy policy': 5, terms: 3,
    'terms of service': 5, 'terms and conditions': 5, cookies: 4, cookie: 3, liability: 3, disclaimer: 3,
    'personal data': 4, 'personal information': 4, gdpr: 4, consent: 2, 'late cancellation': 4, 'no-show': 4,
  },
  faq: { faq: 4, faqs: 4, 'frequently asked': 5, questions: 2, 'common questions': 4 },
  team: {
    team: 3, 'our team': 4, staff: 3, 'meet the': 3, dr: 2, dentist: 1, dentists: 2, technician: 2, technicians: 2,
    owner: 2, hygienist: 3, specialist: 1, specialists: 2, doctor: 2, 'lead dentist': 3, bio: 2, experienced: 1,
    'years of experience': 2, degree: 2, 'speaks spanish': 4, languages: 2, crew: 2, orthodontist: 2,
  },
  service_area: {
    'service area': 5, 'service areas': 5, 'areas we serve': 5, 'we serve': 3, serving: 2, 'surrounding areas': 4,
    'zip codes': 4, 'we travel': 4, 'delivery area': 4, neighborhoods: 3, county: 2, counties: 3, towns: 2,
    'within miles': 3, 'local plumber': 2, 'your area': 2,
  },
  promotions: {
    special: 2, specials: 4, discount: 4, discounts: 4, coupon: 4, coupons: 4, promo: 4, promotion: 4,
    promotions: 4, '% off': 4, 'gift card': 4, 'gift cards': 4, loyalty: 4, rewards: 3, 'new customer': 3,
    'new patient special': 5, deal: 2, deals: 3, 'limited time': 4, 'free consultation': 3, seniors: 2,
    'off your': 3, save: 2, 'special offer': 4, 'special offers': 4,
  },
  news_events: {
    news: 4, event: 3, events: 4, announcement: 4, announcing: 4, upcoming: 3, 'join us': 3, tasting: 4, workshop: 4,
    seasonal: 2, 'now open': 3, 'grand opening': 5, blog: 3, press: 2, newsletter: 2,
  },
  credentials: {
    licensed: 4, license: 3, licence: 3, insured: 4, bonded: 4, certified: 4, certification: 4, certifications: 4,
    accredited: 4, award: 4, awards: 4, 'award-winning': 4, 'member of': 3, membership: 2, reviews: 3, review: 2,
    testimonials: 4, testimonial: 4, rating: 3, rated: 3, stars: 2, bbb: 4, 'what our customers say': 5,
    'what our patients say': 5, 'patient stories': 4, 'customer reviews': 5, 'verified reviews': 4, credentials: 4,
    'proof of insurance': 4, 'board-certified': 4, 'highly recommend': 2, 'would hire again': 2,
  },
  amenities: {
    wheelchair: 5, accessible: 3, accessibility: 4, 'wi-fi': 4, wifi: 4, seating: 3, restroom: 3, restrooms: 3,
    'kid-friendly': 4, 'child-friendly': 4, 'pet-friendly': 4, dogs: 2, pets: 2, amenities: 5, comfort: 2,
    comfortable: 1, 'waiting room': 3, 'reception area': 3, tv: 2, blankets: 3, 'outdoor seating': 4, lounge: 3,
    'bike racks': 3, relaxing: 1, atmosphere: 2, facilities: 3, facility: 2, "children's area": 3, 'play area': 3,
    tvs: 2, headphones: 2, 'treatment rooms': 2,
  },
  emergency: {
    emergency: 4, emergencies: 4, '24/7': 4, '24 hours': 2, 'after-hours': 4, 'after hours': 4, urgent: 4,
    'same-day': 3, 'same day': 3, immediately: 2, 'on-call': 4, 'on call': 3, 'knocked-out': 3, 'burst pipe': 5,
    'severe pain': 3, toothache: 3, 'right away': 2, 'fast response': 2, swelling: 2, bleeding: 2,
  },
};

const STOPWORDS = new Set(
  ('a an and are as at be by can do does for from how i if in is it its my of on or our the their there this to us we what ' +
    'when where who why will with you your any anyone have has more one each not about which into than that them they these ' +
    'those away own other over sets name line year apart kind been around owns regular day time details best way reach ' +
    'person number offered involves takes fix whole particular carried much included lead ahead methods accepted plans ' +
    'credit accept return affect work answers publishes itself fit specific category hurt prepare people roles spoken area ' +
    'out town travel limits premises current programmes dates right dated changes recent having soon new next cover say ' +
    'site access child- comforts response someone bad see today calls many street business does get come need now long')
    .split(' '),
);

/** Words of each category's description and examples that no other category uses. */
function taxonomyWords(): Record<string, string[]> {
  const words = new Map<string, string[]>();
  for (const c of categories) {
    const text = `${c.title} ${c.description} ${c.examples.join(' ')}`.toLowerCase();
    const unique = [...new Set(text.match(/[a-z][a-z'-]{2,}/g) ?? [])].filter((w) => !STOPWORDS.has(w));
    words.set(c.key, unique);
  }
  const counts = new Map<string, number>();
  for (const list of words.values()) for (const w of list) counts.set(w, (counts.get(w) ?? 0) + 1);
  return Object.fromEntries([...words].map(([key, list]) => [key, list.filter((w) => counts.get(w) === 1)]));
}

export interface Keyword {
  phrase: string;
  weight: number;
  pattern: RegExp;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function build(): Record<string, Keyword[]> {
  const fromTaxonomy = taxonomyWords();
  const out: Record<string, Keyword[]> = {};
  for (const c of categories) {
    const weights = new Map<string, number>();
    // Taxonomy words are broad, so they weigh half a curated keyword.
    for (const w of fromTaxonomy[c.key] ?? []) weights.set(w, 0.5);
    for (const [phrase, weight] of Object.entries(CURATED[c.key] ?? {})) weights.set(phrase, weight);
    out[c.key] = [...weights].map(([phrase, weight]) => ({
      phrase,
      weight,
      // "$" and "24/7" have no word characters at their edges, so they cannot use \b.
      pattern: new RegExp(/^\w/.test(phrase) && /\w$/.test(phrase) ? `\\b${escape(phrase)}\\b` : escape(phrase), 'gi'),
    }));
  }
  return out;
}

export const KEYWORDS: Readonly<Record<string, Keyword[]>> = build();
