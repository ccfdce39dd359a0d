/** The page extractor: crawled page in, categorised facts out (see extract-facts.ts). */
export { extractFacts, extractFactsDetailed, type DetailedFact } from './extract-facts.js';
export type { ExtractedFact } from './fact-types.js';
export { parseHoursLine, hoursValue, speakWeek } from './hours-parse.js';
export { phoneValue, emailValue } from './phone-email.js';
export { addressValue } from './address.js';
