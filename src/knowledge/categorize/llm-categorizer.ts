import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { z } from 'zod';
import type { Logger } from '../../observability/logger.js';
import { projectRoot } from '../../paths.js';
import { categories, categoryKeys, isCategoryKey } from '../categories.js';
import type { CrawledPage } from '../crawler/crawl-types.js';
import type { ExtractedFact } from '../extract/fact-types.js';
import { chunkText, pageTextForModel } from './page-text.js';

const FACT_KEYS = ['phone', 'email', 'address', 'hours', 'founded', 'name'] as const;
const TEMPLATE = readFileSync(join(projectRoot, 'prompts', 'categorize-page.md'), 'utf8').replace(/<!--[\s\S]*?-->\s*/, '');
/** Changing the prompt changes every cache key, so an edited prompt is really used. */
const PROMPT_VERSION = createHash('sha256').update(TEMPLATE).digest('hex').slice(0, 12);

const answerSchema = z.object({
  facts: z.array(
    z.object({
      category: z.string(),
      title: z.string().min(1).max(200),
      content: z.string().min(1).max(4000),
      factKey: z.string().optional().nullable(),
      value: z.string().optional().nullable(),
    }),
  ),
});

/** JSON schema for `response_format` (strict structured output). */
const responseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['facts'],
  properties: {
    facts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['category', 'title', 'content', 'factKey', 'value'],
        properties: {
          category: { type: 'string', enum: categoryKeys },
          title: { type: 'string' },
          content: { type: 'string' },
          factKey: { type: ['string', 'null'], enum: [...FACT_KEYS, null] },
          value: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

export interface CategorizationCache {
  get(key: string): ExtractedFact[] | undefined;
  set(key: string, facts: ExtractedFact[]): void;
}

export interface LlmCategorizerOptions {
  client: OpenAI;
  model: string;
  cache: CategorizationCache;
  log: Logger;
  /** Cost bound: chunks sent to the model per crawl (the rest use the deterministic extractor). */
  maxChunks?: number;
  chunkChars?: number;
}

/**
 * Files a page's content into the 18 categories with a language model: one structured-output
 * request per chunk, answers cached by a hash of prompt, model and text so an unchanged page
 * costs nothing on re-crawl. Returns undefined when it cannot (budget spent, model failing), and
 * the caller keeps the deterministic facts for that page.
 */
export class LlmCategorizer {
  private chunksUsed = 0;
  readonly usage = { requests: 0, cached: 0, promptTokens: 0, completionTokens: 0, failures: 0 };

  constructor(private readonly o: LlmCategorizerOptions) {}

  async categorize(page: CrawledPage, site: { url: string; name?: string }, signal?: AbortSignal): Promise<ExtractedFact[] | undefined> {
    if (!page.html) return undefined;
    const { title, text } = pageTextForModel(page.html);
    if (text.length < 40) return [];
    const chunks = chunkText(text, this.o.chunkChars ?? 6000);
    const facts: ExtractedFact[] = [];
    for (const [index, chunk] of chunks.entries()) {
      const key = createHash('sha256').update(`${PROMPT_VERSION}\n${this.o.model}\n${page.url}\n${chunk}`).digest('hex');
      const cached = this.o.cache.get(key);
      if (cached) {
        this.usage.cached++;
        facts.push(...cached);
        continue;
      }
      if (this.chunksUsed >= (this.o.maxChunks ?? 40)) return undefined;
      this.chunksUsed++;
      const prompt = fill({ business_name: site.name ?? 'unknown', site_url: site.url, page_url: page.url, page_title: title, chunk_index: String(index + 1), chunk_count: String(chunks.length), page_chunk: chunk });
      try {
        const chunkFacts = await this.ask(prompt, page.url, signal);
        this.o.cache.set(key, chunkFacts);
        facts.push(...chunkFacts);
      } catch (error) {
        this.usage.failures++;
        this.o.log.warn({ event: 'categorize.llm_failed', url: page.url, err: error }, 'LLM categorisation failed; using the deterministic extractor for this page');
        return undefined;
      }
    }
    return facts;
  }

  private async ask(prompt: string, sourceUrl: string, signal?: AbortSignal): Promise<ExtractedFact[]> {
    const completion = await this.o.client.chat.completions.create(
      {
        model: this.o.model,
        temperature: 0,
        max_tokens: 1500,
        messages: [{ role: 'user', content: prompt }],
        response_format: { type: 'json_schema', json_schema: { name: 'page_facts', strict: true, schema: responseSchema as unknown as Record<string, unknown> } },
      },
      { signal },
    );
    this.usage.requests++;
    this.usage.promptTokens += completion.usage?.prompt_tokens ?? 0;
    this.usage.completionTokens += completion.usage?.completion_tokens ?? 0;
    const content = completion.choices[0]?.message.content ?? '';
    const parsed = answerSchema.parse(JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')));
    // Whatever the model says, only valid categories and fact keys get through.
    return parsed.facts
      .filter((f) => isCategoryKey(f.category))
      .map((f) => {
        const factKey = f.factKey && (FACT_KEYS as readonly string[]).includes(f.factKey) && f.value ? f.factKey : undefined;
        return { category: f.category, title: f.title.trim(), content: f.content.trim(), sourceUrl, ...(factKey ? { factKey, value: f.value!.trim() } : {}) };
      });
  }
}

function fill(values: Record<string, string>): string {
  const all: Record<string, string> = {
    ...values,
    categories: categories.map((c) => `- ${c.key}: ${c.title} — ${c.description} (e.g. ${c.examples.join('; ')})`).join('\n'),
    category_keys: categoryKeys.join(', '),
    fact_keys: FACT_KEYS.join(', '),
  };
  return TEMPLATE.replace(/\{\{(\w+)\}\}/g, (match, name: string) => all[name] ?? match);
}
