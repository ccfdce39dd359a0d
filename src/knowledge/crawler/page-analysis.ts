/**
 * What the crawler needs to know about an HTML page: its text encoding, the links to follow,
 * whether it asks robots not to index/follow it, and whether it is a JavaScript shell whose
 * content only exists after a browser runs it.
 */
import * as cheerio from 'cheerio';

/** Below this much visible body text, a page is assumed to be drawn by JavaScript. */
export const MIN_STATIC_TEXT_CHARS = 200;

/** Where single-page-app frameworks mount: empty in the shell, filled in the browser. */
const MOUNT_POINTS = '#root, #app, #__next, #__nuxt, #___gatsby, #svelte, #q-app, app-root, [ng-app], [data-reactroot]';

const ENABLE_JS = /enable javascript|javascript (?:is )?(?:required|disabled|must be enabled)|turn on javascript|need(?:s)? (?:to enable )?javascript|javascript to run/i;

export interface HtmlAnalysis {
  /** Absolute URLs of <a>, <area>, <iframe>, <frame> and meta-refresh targets (not normalised). */
  links: string[];
  textLength: number;
  /** The page looks drawn by JavaScript: an empty mount point, a noscript plea, or almost no text. */
  needsBrowser: boolean;
  /** Why (a JavaScript app shell, or too little text), for logs. */
  shellReason?: string;
  noindex: boolean;
  nofollow: boolean;
}

/**
 * Decodes HTML bytes by the charset in Content-Type, else a <meta charset> in the first 1 KiB,
 * else UTF-8 (a BOM wins over all of them, as in browsers).
 */
export function decodeHtml(body: Buffer, contentType: string): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return new TextDecoder('utf-8').decode(body);
  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
  const head = body.subarray(0, 1024).toString('latin1');
  const fromMeta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  for (const label of [fromHeader, fromMeta]) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(body);
    } catch {
      // unknown label: try the next source
    }
  }
  return new TextDecoder('utf-8').decode(body);
}

export function analyseHtml(html: string, pageUrl: string, userAgentToken = 'voiceagentbot'): HtmlAnalysis {
  const $ = cheerio.load(html);
  let base = pageUrl;
  const baseHref = $('base[href]').first().attr('href');
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl).href;
    } catch {
      // a broken <base> is ignored, as browsers do
    }
  }

  const links: string[] = [];
  const add = (raw: string | undefined) => {
    if (!raw) return;
    try {
      links.push(new URL(raw.trim(), base).href);
    } catch {
      // unparsable href: not a link
    }
  };
  $('a[href], area[href]').each((_, el) => add($(el).attr('href')));
  $('iframe[src], frame[src]').each((_, el) => add($(el).attr('src')));
  $('meta[http-equiv]').each((_, el) => {
    if ($(el).attr('http-equiv')?.toLowerCase() !== 'refresh') return;
    const m = /url\s*=\s*['"]?([^'"]+)/i.exec($(el).attr('content') ?? '');
    add(m?.[1]);
  });

  let noindex = false;
  let nofollow = false;
  $('meta[name][content]').each((_, el) => {
    const name = $(el).attr('name')!.toLowerCase();
    if (name !== 'robots' && name !== userAgentToken) return;
    const content = $(el).attr('content')!.toLowerCase();
    if (/\b(?:noindex|none)\b/.test(content)) noindex = true;
    if (/\b(?:nofollow|none)\b/.test(content)) nofollow = true;
  });

  const noscriptText = $('noscript').text();
  $('script, style, noscript, template, svg').remove();
  const textLength = $('body').text().replace(/\s+/g, ' ').trim().length;

  let shellReason: string | undefined;
  const emptyMount = $(MOUNT_POINTS)
    .toArray()
    .find((el) => $(el).text().trim().length === 0);
  if (emptyMount) shellReason = `empty mount point <${'tagName' in emptyMount ? emptyMount.tagName : '?'}${$(emptyMount).attr('id') ? `#${$(emptyMount).attr('id')}` : ''}>`;
  else if (ENABLE_JS.test(noscriptText)) shellReason = '<noscript> asks for JavaScript';
  else if (textLength < MIN_STATIC_TEXT_CHARS) shellReason = `only ${textLength} characters of text`;

  return { links, textLength, needsBrowser: shellReason !== undefined, shellReason, noindex, nofollow };
}

/** X-Robots-Tag header directives for everyone or for our bot. */
export function headerRobots(value: string | string[] | undefined, userAgentToken = 'voiceagentbot'): { noindex: boolean; nofollow: boolean } {
  const out = { noindex: false, nofollow: false };
  for (const line of ([] as string[]).concat(value ?? [])) {
    const m = /^\s*([\w-]+)\s*:\s*(.*)$/.exec(line);
    // "botname: noindex" targets one bot; a plain "noindex, nofollow" targets all.
    if (m && !/^(?:noindex|nofollow|none|all|noarchive|nosnippet|unavailable_after)$/i.test(m[1]!) && m[1]!.toLowerCase() !== userAgentToken) continue;
    const directives = (m && m[1]!.toLowerCase() === userAgentToken ? m[2]! : line).toLowerCase();
    if (/\b(?:noindex|none)\b/.test(directives)) out.noindex = true;
    if (/\b(?:nofollow|none)\b/.test(directives)) out.nofollow = true;
  }
  return out;
}

/**
 * Deeper than this, a page is refused. HTML parsers slow down with the depth of open elements
 * (parse5, behind cheerio, checks scope by walking them: 100,000 nested <div>s take minutes of
 * CPU on the event loop that paces every live call) and recursive tree walks overflow the stack
 * long before that. Browsers stop nesting at 512 too; real pages stay well under 100.
 */
export const MAX_MARKUP_DEPTH = 512;

const VOID_ELEMENTS = new Set(['area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'frame', 'hr', 'image', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
/** Elements a parser closes when another of their kind opens (`<p>a<p>b`), unless a boundary lies between. */
const CLOSES_PREVIOUS: Record<string, { same: Set<string>; boundary: Set<string> }> = Object.fromEntries(
  Object.entries({
    p: [['p'], ['button', 'table', 'td', 'th', 'caption', 'object', 'marquee', 'applet', 'template']],
    li: [['li'], ['ul', 'ol', 'menu', 'table', 'td', 'th', 'template']],
    dt: [['dt', 'dd'], ['dl', 'table', 'td', 'th', 'template']],
    dd: [['dt', 'dd'], ['dl', 'table', 'td', 'th', 'template']],
    td: [['td', 'th'], ['tr', 'table', 'template']],
    th: [['td', 'th'], ['tr', 'table', 'template']],
    tr: [['tr'], ['table', 'thead', 'tbody', 'tfoot', 'template']],
    option: [['option'], ['select', 'datalist', 'optgroup', 'template']],
  }).map(([name, [same, boundary]]) => [name, { same: new Set(same), boundary: new Set(boundary) }]),
);
const rawTextEnd = new Map<string, RegExp>();

/**
 * How deep elements nest in `html`, by one linear scan that follows the parser's main rules
 * (void elements, raw text, end tags closing what they enclose, `<p>`/`<li>`/`<td>`… closing the
 * previous one); it errs on the deep side. Stops counting once past `stopAbove`.
 */
export function markupDepth(html: string, stopAbove = Infinity): number {
  const stack: string[] = [];
  const open = new Map<string, number>();
  const pop = () => {
    const name = stack.pop()!;
    open.set(name, open.get(name)! - 1);
  };
  let max = 0;
  const tag = /<(\/?)([a-zA-Z][^\t\n\f\r />]*)|<!--/g;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (m[0] === '<!--') {
      const end = html.indexOf('-->', tag.lastIndex);
      if (end < 0) break;
      tag.lastIndex = end + 3;
      continue;
    }
    const end = html.indexOf('>', tag.lastIndex);
    if (end < 0) break;
    tag.lastIndex = end + 1;
    const name = m[2]!.toLowerCase();
    if (m[1]) {
      // An end tag closes its element and whatever is still open inside it; a stray one nothing.
      if ((open.get(name) ?? 0) > 0) {
        while (stack.at(-1) !== name) pop();
        pop();
      }
      continue;
    }
    if (VOID_ELEMENTS.has(name) || html[end - 1] === '/') continue;
    if (RAW_TEXT_ELEMENTS.has(name)) {
      let close = rawTextEnd.get(name);
      if (!close) rawTextEnd.set(name, (close = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi')));
      close.lastIndex = tag.lastIndex;
      const found = close.exec(html);
      if (!found) break;
      tag.lastIndex = found.index + found[0].length;
      continue;
    }
    const rule = CLOSES_PREVIOUS[name];
    if (rule && [...rule.same].some((s) => (open.get(s) ?? 0) > 0)) {
      // A bounded look down the stack (past it, the previous one is assumed still open).
      for (let i = stack.length - 1; i >= 0 && i >= stack.length - 32; i--) {
        if (rule.boundary.has(stack[i]!)) break;
        if (rule.same.has(stack[i]!)) {
          while (stack.length > i) pop();
          break;
        }
      }
    }
    stack.push(name);
    open.set(name, (open.get(name) ?? 0) + 1);
    if (stack.length > max) {
      max = stack.length;
      if (max > stopAbove) return max;
    }
  }
  return max;
}

/**
 * Binary data served as HTML (an image, an archive, random bytes): more than 2% of its bytes are
 * control characters no text uses (WHATWG MIME sniffing's "binary data bytes"). UTF-16 and
 * UTF-32 text, declared or with a byte-order mark, is text.
 */
export function looksBinary(body: Buffer, contentType: string): boolean {
  if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) return false;
  if (/charset\s*=\s*["']?utf-?(?:16|32)/i.test(contentType + body.subarray(0, 1024).toString('latin1').replace(/\0/g, ''))) return false;
  let binary = 0;
  for (const b of body) if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) binary++;
  return binary > Math.max(4, body.length / 50);
}
