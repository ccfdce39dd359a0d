import type { Cheerio, CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { headingLevel, headingText } from './blocks.js';
import type { Candidate } from './candidate.js';
import { blockText, descendants, inlineText, isElement, prose, truncate } from './text.js';

/**
 * Question/answer pairs in the page's content: <details>/<summary> accordions, elements classed
 * as FAQ questions (with the answer beside them), <dt> questions, and headings that ask a
 * question. The heading above a group of questions ("Insurance & Payment") travels with each
 * pair as context, so the categoriser can file it under payment rather than faq.
 */

export interface FaqFound {
  candidates: Candidate[];
  /** Question and answer elements: left out of content sections. */
  elements: Element[];
}

const QUESTION_CLASS = /(^|[-_\s])(faq[-_]?(question|q|title|header|heading|toggle|button|trigger)|question|accordion[-_]?(header|button|title|toggle|trigger|heading)|collapsible[-_]?(header|trigger))([-_\s]|$)/i;
const INTERROGATIVE = /^(how|what|what's|whats|when|where|why|who|which|whom|whose|do|does|did|can|could|is|are|was|were|will|would|should|may|might|must|shall|have|has|am|if|q:|q\.)\b/i;
export const MAX_ANSWER = 1500;

function classOf(el: Element): string {
  return `${el.attribs?.['class'] ?? ''}`;
}

function nextElement(el: Element): Element | undefined {
  let sib = el.nextSibling;
  while (sib && !isElement(sib)) sib = sib.nextSibling;
  return sib ?? undefined;
}

function previousElement(el: Element): Element | undefined {
  let sib = el.previousSibling;
  while (sib && !isElement(sib)) sib = sib.previousSibling;
  return sib ?? undefined;
}

function answerText(els: Element[]): string {
  return truncate(prose(blockText(els).split('\n')), MAX_ANSWER);
}

/** The heading that names a group of questions: a preceding sibling heading of an ancestor. */
function groupHeading($: CheerioAPI, el: Element): string | undefined {
  let node: Element | undefined = el;
  for (let depth = 0; node && depth < 6; depth++) {
    for (let sib = previousElement(node); sib; sib = previousElement(sib)) {
      if (headingLevel(sib) > 0) {
        const text = headingText(sib);
        if (!text.endsWith('?')) return text;
        continue;
      }
      if (QUESTION_CLASS.test(classOf(sib)) || /faq[-_]?item|accordion[-_]?item/i.test(classOf(sib)) || sib.name === 'details') continue;
      const inner = $(sib).find('h1, h2, h3, h4, h5, h6').toArray().filter((h) => !headingText(h).endsWith('?'));
      const last = inner[inner.length - 1];
      if (last) return headingText(last);
    }
    const parent: Element | null = node.parent as Element | null;
    node = parent && parent.type === 'tag' ? parent : undefined;
  }
  return undefined;
}

export function findFaqs($: CheerioAPI, root: Cheerio<Element>): FaqFound {
  const candidates: Candidate[] = [];
  const elements: Element[] = [];
  const questions = new Set<string>();
  const taken = new Set<Element>();

  const add = (question: string, answerEls: Element[], questionEl: Element): void => {
    const q = question.replace(/\s+/g, ' ').trim();
    const answer = answerText(answerEls);
    if (q.length < 5 || q.length > 250 || answer.length < 2 || questions.has(q.toLowerCase())) return;
    questions.add(q.toLowerCase());
    elements.push(questionEl, ...answerEls);
    for (const el of [questionEl, ...answerEls]) taken.add(el);
    const group = groupHeading($, questionEl);
    if (!q.endsWith('?')) {
      // An accordion panel titled with a statement ("Severe Toothache") is content, not a question.
      candidates.push({ kind: 'section', title: q, content: answer, headings: group ? [group, q] : [q], origin: 'dom' });
      return;
    }
    candidates.push({ kind: 'faq', title: q, content: answer, ...(group ? { headings: [group], context: group } : {}), origin: 'dom' });
  };
  const isTaken = (el: Element): boolean => {
    for (let p: Element | null = el; p && p.type === 'tag'; p = p.parent as Element | null) if (taken.has(p)) return true;
    return false;
  };

  const all = descendants(root.toArray());
  const byTag = (...names: string[]): Element[] => all.filter((el) => names.includes(el.name.toLowerCase()));

  // 1. <details><summary>Question?</summary>answer</details>
  byTag('details').forEach((details) => {
    const summary = $(details).children('summary').first();
    if (!summary.length) return;
    const rest = $(details).children().not('summary').toArray();
    add(inlineText(summary.toArray()), rest, details);
  });

  // 2. Elements classed as questions, the answer in the next sibling (or the wrapper's).
  all.forEach((el) => {
    if (!el.attribs['class'] || !QUESTION_CLASS.test(classOf(el)) || isTaken(el) || /answer/i.test(classOf(el))) return;
    const q = inlineText(el);
    let answer = nextElement(el);
    if (!answer && el.parent && isElement(el.parent)) answer = nextElement(el.parent);
    if (!answer || QUESTION_CLASS.test(classOf(answer))) return;
    add(q, [answer], el);
  });

  // 3. <dt>Question?</dt><dd>answer</dd>
  byTag('dt').forEach((dt) => {
    const q = inlineText(dt);
    if (!q.endsWith('?') || isTaken(dt)) return;
    const answers: Element[] = [];
    for (let sib = nextElement(dt); sib && sib.name === 'dd'; sib = nextElement(sib)) answers.push(sib);
    if (answers.length) add(q, answers, dt);
  });

  // 4. A heading that asks ("How long does it take?"), answered by what follows it.
  byTag('h2', 'h3', 'h4', 'h5', 'h6').forEach((h) => {
    const q = headingText(h);
    if (!q.endsWith('?') || !INTERROGATIVE.test(q) || isTaken(h)) return;
    let answers = followingUntilHeading(h);
    if (answers.length === 0 && h.parent && isElement(h.parent) && inlineText(h.parent) === inlineText(h)) {
      answers = followingUntilHeading(h.parent);
    }
    if (answers.length) add(q, answers, h);
  });

  // 5. Question paragraphs, when a block holds several ("Q: …?" then the answer paragraph).
  byTag('p').forEach((p) => {
    const q = inlineText(p);
    if (!q.endsWith('?') || !INTERROGATIVE.test(q) || q.length > 200 || isTaken(p)) return;
    const siblingsAsking = $(p)
      .siblings('p')
      .toArray()
      .filter((s) => inlineText(s).endsWith('?') && INTERROGATIVE.test(inlineText(s))).length;
    if (siblingsAsking === 0) return;
    const answers: Element[] = [];
    for (let sib = nextElement(p); sib && sib.name === 'p' && !inlineText(sib).endsWith('?'); sib = nextElement(sib)) answers.push(sib);
    if (answers.length) add(q.replace(/^q[:.]\s*/i, ''), answers, p);
  });

  return { candidates, elements };
}

/** Siblings after `el` up to the next heading (or block holding one), within the answer cap. */
function followingUntilHeading(el: Element): Element[] {
  const out: Element[] = [];
  let length = 0;
  for (let sib = nextElement(el); sib; sib = nextElement(sib)) {
    if (headingLevel(sib) > 0) break;
    if (hasHeading(sib)) break;
    out.push(sib);
    length += inlineText(sib).length;
    if (length > MAX_ANSWER) break;
  }
  return out;
}

function hasHeading(el: Element): boolean {
  return el.children.some((c) => isElement(c) && (headingLevel(c) > 0 || hasHeading(c)));
}
