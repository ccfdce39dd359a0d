import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { inlineText, textLength } from './text.js';

/**
 * Cleaning a page in two stages. `removeJunk` drops what is never knowledge (code, styling,
 * hidden UI) from the whole document: contact facts are read after it, from header and footer
 * too, because small-business sites put their phone and hours there. `stripBoilerplate` then
 * drops the site chrome (navigation, page header and footer, sidebars, banners) from the main
 * content root only, so content sections are the page's own words.
 */

const JUNK = 'script, style, noscript, template, svg, iframe, canvas, object, embed, link, meta, source, track';

/** Hidden elements are UI (search "no results", modals) unless they are themselves a collapsed answer or panel. */
const HIDDEN = '[hidden], [aria-hidden="true"], [style*="display:none"], [style*="display: none"], [style*="visibility:hidden"], [style*="visibility: hidden"]';
const KEEP_HIDDEN = /faq|accordion|answer|panel|collapse|tab-pane|question/i;

export function removeJunk($: CheerioAPI): void {
  $(JUNK).remove();
  // Comments can hold whole commented-out sections of a template. A plain walk: cheerio's
  // $('*').contents() concatenates arrays per element, quadratic on big pages.
  const comments: AnyNode[] = [];
  const walk = (node: AnyNode): void => {
    if (node.type === 'comment') comments.push(node);
    else if ('children' in node) for (const child of node.children) walk(child);
  };
  walk($.root()[0]!);
  $(comments).remove();
  $(HIDDEN).each((_, el) => {
    const $el = $(el);
    const marker = `${$el.attr('class') ?? ''} ${$el.attr('id') ?? ''}`;
    if (KEEP_HIDDEN.test(marker)) return;
    $el.remove();
  });
}

const BOILERPLATE_TAGS = new Set(['nav', 'aside', 'form', 'dialog', 'menu']);
const BOILERPLATE_ROLES = ['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog', 'alertdialog', 'menu', 'menubar', 'toolbar'];

/** Class or id tokens that are always chrome. */
const ALWAYS_CHROME = [
  /(^|[-_])(navbar|navigation|breadcrumbs?|skip-?link|skip-to-content|sr-only|visually-hidden|screen-reader-text)([-_]|$)/,
  /(cookie|consent|gdpr)[-_]?(banner|notice|bar|popup|modal|law|message|notification|box|wrapper|container|alert|consent)?$/,
  /^(cc-window|cc-banner|onetrust|cookiebot|cmp-)/,
  /(^|[-_])(modal|popup|dialog|lightbox|loading-screen|loader|spinner|back-to-top|scroll-top|booking-sticky)([-_]|$)/,
  /^(site|page|global|main)[-_](header|footer|nav)$/,
];

/** Tokens that are chrome only when the element is mostly links (a food "menu" is content). */
const LINKY_CHROME = /(^|[-_])(nav|menu|sidebar|widget|social|share|sharing|footer-links|quick-links|pagination|pager|tags|related)([-_]|$)/;

function classAndId(el: Element): string {
  return `${el.attribs?.['class'] ?? ''} ${el.attribs?.['id'] ?? ''}`.toLowerCase();
}

function tokens(el: Element): string[] {
  return classAndId(el).split(/\s+/).filter(Boolean);
}

/** Share of an element's text that sits inside links. */
export function linkDensity($: CheerioAPI, el: AnyNode): number {
  const total = inlineText(el).length;
  if (total === 0) return 1;
  let linked = 0;
  $(el)
    .find('a')
    .each((_, a) => {
      linked += inlineText(a).length;
    });
  return Math.min(1, linked / total);
}

function isChrome($: CheerioAPI, el: Element): boolean {
  const role = (el.attribs?.['role'] ?? '').toLowerCase();
  if (BOILERPLATE_ROLES.includes(role)) return true;
  const toks = tokens(el);
  if (toks.some((t) => ALWAYS_CHROME.some((re) => re.test(t)))) return true;
  return toks.some((t) => LINKY_CHROME.test(t)) && linkDensity($, el) > 0.6;
}

/** The element holding the page's own content: <main>, role=main, a lone <article>, else <body>. */
export function findMainRoot($: CheerioAPI): Cheerio<Element> {
  const body = $('body').first();
  const bodyLength = textLength((body[0] ?? $.root()[0]) as AnyNode);
  const candidates = ['main', '[role="main"]', '#main-content', '#main', '#content', '.main-content', '.site-content'];
  for (const selector of candidates) {
    const found = $(selector);
    if (found.length !== 1 || !found[0]) continue;
    const length = textLength(found[0]);
    // An empty or token <main> (content rendered beside it) is no better than the body.
    if (length >= 200 || length >= bodyLength * 0.3) return found as Cheerio<Element>;
  }
  const articles = $('article');
  if (articles.length === 1 && articles[0] && textLength(articles[0]) >= bodyLength * 0.5) return articles as Cheerio<Element>;
  return (body.length ? body : $.root()) as Cheerio<Element>;
}

/** Drop site chrome inside `root`. Page-level header/footer go; an article's own header stays. */
export function stripBoilerplate($: CheerioAPI, root: Cheerio<Element>): void {
  const remove: Element[] = [];
  // One walk that does not descend into what it removes.
  const walk = (el: Element, inContent: boolean): void => {
    for (const child of el.children) {
      if (child.type !== 'tag') continue;
      const name = child.name.toLowerCase();
      if (BOILERPLATE_TAGS.has(name) || ((name === 'header' || name === 'footer') && !inContent) || isChrome($, child)) {
        remove.push(child);
        continue;
      }
      walk(child, inContent || name === 'article' || name === 'section' || name === 'main');
    }
  };
  for (const r of root.toArray()) walk(r, r.name === 'article' || r.name === 'section' || r.name === 'main');
  $(remove).remove();
}
