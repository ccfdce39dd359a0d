/**
 * What the extractors hand to the categoriser: a fact before it has a category. `kind` says which
 * extractor found it, because the kind alone settles the category of most structured facts
 * (hours → hours, phone → contact); `headings` and `context` feed the keyword scores of the rest.
 */
export type CandidateKind =
  | 'name'
  | 'description'
  | 'phone'
  | 'email'
  | 'address'
  | 'hours'
  | 'founded'
  | 'years'
  | 'price'
  | 'price_range'
  | 'payment'
  | 'faq'
  | 'event'
  | 'service'
  | 'team'
  | 'social'
  | 'service_area'
  | 'section';

export interface Candidate {
  kind: CandidateKind;
  title: string;
  content: string;
  factKey?: string;
  value?: string;
  /** Heading path above the element the fact came from, outermost first. */
  headings?: string[];
  /** Extra text that helps categorise (a FAQ's group heading, a phone number's label). */
  context?: string;
  /** Words of the class names around the source element ("testimonial card"): a weak hint. */
  classHint?: string;
  /** Set when the extractor already knows better than the keyword scores (an emergency line). */
  category?: string;
  origin: 'jsonld' | 'microdata' | 'dom' | 'text';
}
