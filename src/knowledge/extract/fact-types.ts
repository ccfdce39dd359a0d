/**
 * One piece of knowledge taken from a page, already filed under one of the 18 categories of
 * knowledge/categories.json. `factKey` names facts that have one true value per business
 * (`phone`, `email`, `address`, `hours`, `founded`, `name`…): two facts with the same key and
 * different `value`s from different places are a conflict, kept and flagged, never merged.
 */
export interface ExtractedFact {
  category: string;
  title: string;
  content: string;
  sourceUrl: string;
  factKey?: string;
  /** Normalised value for comparison (digits of a phone, lower-cased email, …). */
  value?: string;
}
