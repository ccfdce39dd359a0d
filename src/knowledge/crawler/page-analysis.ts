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
