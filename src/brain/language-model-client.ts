import OpenAI from 'openai';
import { providerName, type Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { FailoverModel } from './llm/failover-model.js';
import { OpenAiCompatibleModel } from './llm/openai-compatible-model.js';

/**
 * One OpenAI-compatible client for the process (OpenAI, Groq, Ollama, llama.cpp…), or undefined
 * when no model is configured and the offline paths are used. A local server may need no key.
 * Used for batch work (the knowledge categoriser); calls use createLanguageModel.
 */
export function createLanguageModelClient(config: Config): { client: OpenAI; model: string } | undefined {
  if (!config.llm.apiKey && !config.llm.baseUrl) return undefined;
  const client = new OpenAI({ apiKey: config.llm.apiKey ?? 'not-needed', baseURL: config.llm.baseUrl, timeout: 30_000, maxRetries: 2 });
  return { client, model: config.llm.model };
}

/**
 * The streaming model a call talks to: the primary (OPENAI_*, LLM_MODEL) then each of
 * LLM_FALLBACKS, behind circuit breakers. Undefined when none is configured (offline answerer).
 */
export function createLanguageModel(config: Config, log?: Logger): FailoverModel | undefined {
  const { llm } = config;
  const providers = [
    ...(llm.apiKey || llm.baseUrl ? [{ name: providerName(llm.baseUrl, llm.model), baseUrl: llm.baseUrl, apiKey: llm.apiKey, model: llm.model }] : []),
    ...llm.fallbacks,
  ];
  if (providers.length === 0) return undefined;
  const models = providers.map(
    (p) => new OpenAiCompatibleModel({ ...p, firstTokenTimeoutMs: llm.firstTokenTimeoutMs, timeoutMs: llm.timeoutMs }),
  );
  log?.info({ event: 'llm.providers', providers: models.map((m) => m.name) }, 'language model providers');
  return new FailoverModel(models, { log });
}
