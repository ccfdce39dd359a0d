import OpenAI from 'openai';
import type { Config } from '../config.js';

/**
 * One OpenAI-compatible client for the process (OpenAI, Groq, Ollama, llama.cpp…), or undefined
 * when no model is configured and the offline paths are used. A local server may need no key.
 */
export function createLanguageModelClient(config: Config): { client: OpenAI; model: string } | undefined {
  if (!config.llm.apiKey && !config.llm.baseUrl) return undefined;
  const client = new OpenAI({ apiKey: config.llm.apiKey ?? 'not-needed', baseURL: config.llm.baseUrl, timeout: 30_000, maxRetries: 2 });
  return { client, model: config.llm.model };
}
