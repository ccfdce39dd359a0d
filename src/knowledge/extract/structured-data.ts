import type { CheerioAPI } from 'cheerio';
import type { Element } from 'domhandler';
import { collapse, inlineText } from './text.js';

/**
 * schema.org data embedded in a page, as plain objects shaped like JSON-LD: JSON-LD scripts
 * (single objects, arrays, @graph, with the usual authoring mistakes repaired where that is
 * safe) and microdata (itemscope/itemprop). Must run before the junk removal, which drops
 * scripts and <meta>.
 */

export type SchemaNode = Record<string, unknown>;

/** JSON.parse, then once more after the repairs hand-written JSON-LD usually needs. */
export function parseLooseJson(raw: string): unknown {
  const text = raw
    .trim()
    .replace(/^<!--|-->$/g, '')
    .replace(/^\s*\/\/\s*<!\[CDATA\[|\/\/\s*\]\]>\s*$/g, '')
    .replace(/^<!\[CDATA\[|\]\]>$/g, '')
    .trim();
  try {
    return JSON.parse(text);
  } catch {
    // fall through to the repairs
  }
  const repaired = text
    .replace(/^\s*\/\/.*$/gm, '') // whole-line comments
    .replace(/\/\*[\s\S]*?\*\//g, '') // block comments
    .replace(/[\u0000-\u001f]+/g, ' ') // raw newlines and tabs inside strings
    .replace(/,\s*([}\]])/g, '$1'); // trailing commas
  try {
    return JSON.parse(repaired);
  } catch {
    return undefined;
  }
}

/** The bare type names of a node: "Dentist", never "https://schema.org/Dentist". */
export function typesOf(node: SchemaNode): string[] {
  const raw = node['@type'];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((t): t is string => typeof t === 'string').map((t) => t.replace(/^.*[/#:]/, ''));
}

/** Every object in a JSON-LD document, top-level and @graph members first. */
function topNodes(data: unknown): SchemaNode[] {
  if (Array.isArray(data)) return data.flatMap(topNodes);
  if (!data || typeof data !== 'object') return [];
  const node = data as SchemaNode;
  const graph = node['@graph'];
  const out: SchemaNode[] = [];
  if (typesOf(node).length > 0) out.push(node);
  if (graph) out.push(...topNodes(graph));
  return out;
}

export function jsonLdNodes($: CheerioAPI): SchemaNode[] {
  const nodes: SchemaNode[] = [];
  $('script').each((_, el) => {
    const type = (el.attribs['type'] ?? '').toLowerCase();
    if (!type.includes('ld+json')) return;
    const data = parseLooseJson($(el).text());
    if (data !== undefined) nodes.push(...topNodes(data));
  });
  return nodes;
}

/** A microdata property's value, by the element it sits on (HTML spec, "itemprop values"). */
function propValue(el: Element): string {
  const a = el.attribs;
  if (a['content'] !== undefined) return collapse(a['content']);
  switch (el.name) {
    case 'meta':
      return collapse(a['content'] ?? '');
    case 'a':
    case 'link':
    case 'area':
      return a['href'] ?? '';
    case 'img':
    case 'audio':
    case 'video':
    case 'source':
    case 'iframe':
      return a['src'] ?? '';
    case 'time':
      return a['datetime'] ?? inlineText(el);
    case 'data':
    case 'meter':
      return a['value'] ?? inlineText(el);
    default:
      return inlineText(el);
  }
}

function microItem($: CheerioAPI, el: Element, depth: number): SchemaNode {
  const node: SchemaNode = {};
  const types = (el.attribs['itemtype'] ?? '').split(/\s+/).filter(Boolean);
  if (types.length) node['@type'] = types.length === 1 ? types[0] : types;
  if (depth > 8) return node;
  $(el)
    .find('[itemprop]')
    .each((_, prop) => {
      // Only properties whose nearest item is this one; deeper ones belong to nested items.
      if ($(prop).parent().closest('[itemscope]')[0] !== el) return;
      const value = prop.attribs['itemscope'] !== undefined ? microItem($, prop, depth + 1) : propValue(prop);
      for (const name of (prop.attribs['itemprop'] ?? '').split(/\s+/).filter(Boolean)) {
        const existing = node[name];
        node[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
    });
  return node;
}

export function microdataNodes($: CheerioAPI): SchemaNode[] {
  return $('[itemscope]')
    .toArray()
    .filter((el) => el.attribs['itemprop'] === undefined)
    .map((el) => microItem($, el, 0));
}

/** Values of a property as a list (a single value, an array, or nothing). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Text values of a property: strings as they are, objects by their name or text. */
export function texts(value: unknown): string[] {
  return list(value)
    .map((v) => {
      if (typeof v === 'string' || typeof v === 'number') return collapse(String(v));
      if (v && typeof v === 'object') {
        const o = v as SchemaNode;
        const inner = o['name'] ?? o['text'] ?? o['@value'] ?? o['value'];
        return typeof inner === 'string' || typeof inner === 'number' ? collapse(String(inner)) : '';
      }
      return '';
    })
    .filter(Boolean);
}
