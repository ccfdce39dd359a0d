import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';
import { fixtureSites, serveSite } from './helpers/static-site-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('categorising with a language model', () => {
  let server: TestServer;
  let model: OpenAiChatServer;
  let site: Awaited<ReturnType<typeof serveSite>>;
  let tenant: Awaited<ReturnType<TestServer['newTenant']>>;

  beforeAll(async () => {
    model = await startOpenAiChatServer();
    site = await serveSite(join(fixtureSites, 'business-casual-coffee'));
    server = await startTestServer({ CRAWL_ALLOW_PRIVATE: 'true', OPENAI_API_KEY: model.apiKey, OPENAI_BASE_URL: model.baseUrl, LLM_MODEL: 'test-model' });
    tenant = await server.newTenant('Coffee');
  });
  afterAll(async () => {
    await server.stop();
    await model.close();
    await site.close();
  });

  async function crawl(agentId: string) {
    const { jobId } = (await tenant.post(`/api/agents/${agentId}/recrawl`)).body;
    for (;;) {
      const job = (await tenant.get(`/api/jobs/${jobId}`)).body;
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('files the model\'s facts, drops invented categories, keeps single-valued facts, and caches by content', async () => {
    // The model answers from the chunk it was given: a fact per page naming the page, plus one in a category that does not exist.
    model.respond = (request) => {
      const prompt = request.body.messages[0]!.content!;
      const page = /Page: .* — (\S+) \(chunk/.exec(prompt)![1]!;
      return JSON.stringify({
        facts: [
          { category: 'products', title: `Coffee from ${new URL(page).pathname}`, content: 'We serve artisan coffee from South and Central America.', factKey: null, value: null },
          { category: 'weather', title: 'Forecast', content: 'Sunny.', factKey: null, value: null },
        ],
      });
    };
    const agent = (await tenant.post('/api/agents', { name: 'Coffee', websiteUrl: `${site.origin}/` })).body;
    const job = await crawl(agent.id);
    expect(job.status).toBe('succeeded');
    expect(job.stats.llm.requests).toBeGreaterThan(0);

    const first = model.requests[0]!.body;
    expect(first.model).toBe('test-model');
    expect(first.response_format?.type).toBe('json_schema');
    const prompt = first.messages[0]!.content!;
    expect(prompt).toContain('- hours: Opening hours');
    expect(prompt).not.toContain('{{');

    const categories = (await tenant.get(`/api/agents/${agent.id}/knowledge`)).body.categories;
    expect(categories.products.map((e: { title: string }) => e.title)).toContain('Coffee from /store.html');
    expect(Object.keys(categories)).not.toContain('weather');
    expect(Object.values(categories).flat().some((e) => (e as { title: string }).title === 'Forecast')).toBe(false);
    // Phone and hours come from the deterministic extractor either way.
    expect(categories.hours.length).toBeGreaterThan(0);
    expect(categories.contact.some((e: { factKey: string }) => e.factKey === 'phone')).toBe(true);

    const requestsAfterFirst = model.requests.length;
    const again = await crawl(agent.id);
    expect(again.status).toBe('succeeded');
    expect(model.requests.length).toBe(requestsAfterFirst); // unchanged pages: all from the cache
    expect(again.stats.llm.cached).toBeGreaterThan(0);
    expect(again.stats.added + again.stats.updated + again.stats.removed).toBe(0);
  });

  it('falls back to the deterministic extractor when the model fails', async () => {
    model.respond = () => ({ status: 500, error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } });
    // Another tenant: the first tenant's cached answers are not theirs to use.
    tenant = await server.newTenant('Coffee two');
    const agent = (await tenant.post('/api/agents', { name: 'Coffee 2', websiteUrl: `${site.origin}/` })).body;
    const job = await crawl(agent.id);
    expect(job.status).toBe('succeeded');
    expect(job.stats.llm.failures).toBeGreaterThan(0);
    const categories = (await tenant.get(`/api/agents/${agent.id}/knowledge`)).body.categories;
    expect(categories.hours.length).toBeGreaterThan(0);
    expect(categories.about.map((e: { content: string }) => e.content).join(' ')).toContain('1987');
  });
});
