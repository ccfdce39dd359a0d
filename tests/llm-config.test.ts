import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLanguageModel, createLanguageModelClient } from '../src/brain/language-model-client.js';
import type { LlmEvent } from '../src/brain/llm/language-model.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { chatErrors, startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('language model configuration', () => {
  it('reads LLM_FALLBACKS and the timeouts, with defaults', () => {
    const none = loadConfig({});
    expect(none.llm).toMatchObject({ fallbacks: [], firstTokenTimeoutMs: 3_000, timeoutMs: 30_000 });
    const config = loadConfig({
      LLM_FIRST_TOKEN_TIMEOUT_MS: '2500',
      LLM_FALLBACKS: JSON.stringify([
        { baseUrl: 'https://api.groq.com/openai/v1', apiKey: 'gsk-1', model: 'llama-3.1-8b-instant' },
        { baseUrl: 'http://127.0.0.1:11434/v1', model: 'qwen2.5', name: 'local' },
      ]),
    });
    expect(config.llm.firstTokenTimeoutMs).toBe(2_500);
    expect(config.llm.fallbacks).toEqual([
      { name: 'llama-3.1-8b-instant@api.groq.com', baseUrl: 'https://api.groq.com/openai/v1', apiKey: 'gsk-1', model: 'llama-3.1-8b-instant' },
      { name: 'local', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, model: 'qwen2.5' },
    ]);
  });

  it('rejects a bad LLM_FALLBACKS in one line that names it, and never echoes a key', () => {
    const cases: [string, RegExp][] = [
      ['not json', /^Invalid configuration: LLM_FALLBACKS must be a JSON array of \{baseUrl, apiKey\?, model, name\?\} \(it is not valid JSON\)$/],
      ['{"baseUrl":"http://x"}', /LLM_FALLBACKS must be a JSON array.*expected array/],
      ['[{"baseUrl":"ftp://x","model":"m","apiKey":"sk-secret-123"}]', /LLM_FALLBACKS .*\(item 1 baseUrl\): must be an http\(s\) URL/],
      ['[{"baseUrl":"http://x","model":"m"},{"baseUrl":"http://y","apiKey":"sk-secret-123"}]', /LLM_FALLBACKS .*\(item 2 model\)/],
      ['[{"baseURL":"http://x","model":"m","apiKey":"sk-secret-123"}]', /LLM_FALLBACKS .*item 1/],
    ];
    for (const [value, message] of cases) {
      const text = configError({ LLM_FALLBACKS: value });
      expect(text, value).toMatch(message);
      expect(text).not.toContain('\n');
      expect(text).not.toContain('sk-secret-123');
    }
    expect(configError({ LLM_FIRST_TOKEN_TIMEOUT_MS: 'soon' })).toMatch(/LLM_FIRST_TOKEN_TIMEOUT_MS must be an integer/);
  });

  it('creates no model without configuration, the categoriser client only for the primary', () => {
    expect(createLanguageModel(loadConfig({}))).toBeUndefined();
    const fallbacksOnly = loadConfig({ LLM_FALLBACKS: '[{"baseUrl":"http://127.0.0.1:1/v1","model":"m"}]' });
    expect(createLanguageModel(fallbacksOnly)?.status().providers.map((p) => p.name)).toEqual(['m@127.0.0.1:1']);
    expect(createLanguageModelClient(fallbacksOnly)).toBeUndefined();
  });

  describe('the model built from configuration', () => {
    let primary: OpenAiChatServer;
    let fallback: OpenAiChatServer;
    beforeAll(async () => {
      [primary, fallback] = await Promise.all([startOpenAiChatServer(), startOpenAiChatServer({ apiKey: 'sk-fallback' })]);
    });
    afterAll(async () => {
      await Promise.all([primary.close(), fallback.close()]);
    });

    it('answers from the fallback when the primary is down, and reports both in status()', async () => {
      primary.respond = () => chatErrors.serverError();
      fallback.respond = () => 'From the fallback.';
      const config = loadConfig({
        OPENAI_API_KEY: primary.apiKey,
        OPENAI_BASE_URL: primary.baseUrl,
        LLM_MODEL: 'primary-model',
        LLM_FALLBACKS: JSON.stringify([{ baseUrl: fallback.baseUrl, apiKey: fallback.apiKey, model: 'fallback-model', name: 'fallback' }]),
      });
      const model = createLanguageModel(config)!;
      const events: LlmEvent[] = [];
      for await (const event of model.stream({ messages: [{ role: 'user', content: 'Hi' }] }, new AbortController().signal)) events.push(event);
      expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'stop', provider: 'fallback' });
      expect(fallback.requests[0]!.body.model).toBe('fallback-model');
      expect(model.status().providers.map((p) => [p.name, p.state, p.consecutiveFailures])).toEqual([
        [`primary-model@${new URL(primary.baseUrl).host}`, 'closed', 2],
        ['fallback', 'closed', 0],
      ]);
    });
  });
});
