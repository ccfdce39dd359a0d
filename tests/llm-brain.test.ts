import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('the grounded LLM brain, through the chat API', () => {
  let server: TestServer;
  let model: OpenAiChatServer;
  let tenant: Awaited<ReturnType<TestServer['newTenant']>>;
  let agentId: string;

  beforeAll(async () => {
    model = await startOpenAiChatServer();
    server = await startTestServer({ OPENAI_API_KEY: model.apiKey, OPENAI_BASE_URL: model.baseUrl, LLM_MODEL: 'test-model' });
    tenant = await server.newTenant('Dental');
    agentId = (await tenant.post('/api/agents', { name: 'Wisdom Bites Dental', instructions: 'Always mention our free parking.' })).body.id;
    await tenant.post(`/api/agents/${agentId}/knowledge`, { category: 'pricing', title: 'Teeth whitening', content: 'In-office teeth whitening costs 299 dollars.' });
    await tenant.post(`/api/agents/${agentId}/knowledge`, { category: 'hours', title: 'Opening hours', content: 'Monday to Friday 9 AM to 6 PM; closed Sunday.' });
  });
  afterAll(async () => {
    await server.stop();
    await model.close();
  });

  const lastPrompt = () => model.requests.at(-1)!.body.messages[0]!.content!;

  it('grounds the answer on the best entries, streams it, and reports its sources', async () => {
    model.respond = () => ({ content: 'Teeth whitening is 299 dollars. Would you like to book?' });
    const res = await tenant.post(`/api/agents/${agentId}/chat`, { message: 'How much is teeth whitening?' });
    expect(res.status).toBe(200);
    expect(res.body.reply).toBe('Teeth whitening is 299 dollars. Would you like to book?');
    expect(res.body.sources.map((s: { title: string }) => s.title)).toContain('Teeth whitening');
    const request = model.requests.at(-1)!.body;
    expect(request.stream).toBe(true);
    expect(request.model).toBe('test-model');
    expect(lastPrompt()).toContain('- Teeth whitening: In-office teeth whitening costs 299 dollars.');
    expect(lastPrompt()).toContain('Always mention our free parking.');
    expect(lastPrompt()).toMatch(/Never guess or invent prices/);
    expect((request.tools as { function: { name: string } }[]).map((t) => t.function.name).sort()).toEqual(['end_call', 'lookup_knowledge', 'take_message', 'transfer_call']);
  });

  it('remembers the conversation by conversationId', async () => {
    model.respond = () => 'Sure.';
    const first = await tenant.post(`/api/agents/${agentId}/chat`, { message: 'Hi, my name is Ada.' });
    await tenant.post(`/api/agents/${agentId}/chat`, { message: 'What was my name?', conversationId: first.body.conversationId });
    const messages = model.requests.at(-1)!.body.messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1]!.content).toBe('Hi, my name is Ada.');
  });

  it('puts nothing in the facts when retrieval finds nothing, so the model has nothing to invent from', async () => {
    model.respond = () => "I'm not sure about that. I can take a message.";
    await tenant.post(`/api/agents/${agentId}/chat`, { message: 'Do you sell pizza?' });
    expect(lastPrompt()).toContain('Facts that may answer this question:\n- (nothing relevant found)');
  });

  it('runs take_message and stores the message for the owner', async () => {
    let round = 0;
    model.respond = () =>
      round++ === 0
        ? { toolCalls: [{ name: 'take_message', arguments: JSON.stringify({ name: 'Ada', callbackNumber: '+14155550123', message: 'Please call me about a cleaning.' }) }] }
        : { content: "Thanks Ada, I've passed that on." };
    const res = await tenant.post(`/api/agents/${agentId}/chat`, { message: 'Can you take a message?' });
    expect(res.body.reply).toBe("Thanks Ada, I've passed that on.");
    // The tool's result went back to the model in the second round.
    const second = model.requests.at(-1)!.body.messages;
    expect(second.at(-1)).toMatchObject({ role: 'tool' });
    const messages = (await tenant.get('/api/messages')).body.messages;
    expect(messages[0]).toMatchObject({ callerName: 'Ada', callbackNumber: '+14155550123', message: 'Please call me about a cleaning.', status: 'new', agentId });
    const other = await server.newTenant('Other');
    expect((await other.get('/api/messages')).body.messages).toEqual([]);
  });

  it('ends with a transfer when the model calls transfer_call and a number is set', async () => {
    await tenant.patch(`/api/agents/${agentId}`, { transferNumber: '+14155550999' });
    model.respond = () => ({ content: 'Let me connect you.', toolCalls: [{ name: 'transfer_call', arguments: '{"reason":"asked for a person"}' }] });
    const res = await tenant.post(`/api/agents/${agentId}/chat`, { message: 'I want to talk to a person' });
    expect(res.body).toMatchObject({ reply: 'Let me connect you.', action: 'transfer' });
  });

  it('says a fallback line, never nothing, when the model fails', async () => {
    model.respond = () => ({ status: 500, error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } });
    const res = await tenant.post(`/api/agents/${agentId}/chat`, { message: 'What are your hours?' });
    expect(res.status).toBe(200);
    expect(res.body.reply).toMatch(/having trouble.*take a message/);
  });

  it('reports the model providers\' circuit breakers in /readyz without making the server unready', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(body.checks.llm!.detail).toMatch(/: (closed|open|half-open)/);
  });

  it('validates the chat body and scopes the agent', async () => {
    expect((await tenant.post(`/api/agents/${agentId}/chat`, {})).status).toBe(400);
    const other = await server.newTenant('Nosy');
    expect((await other.post(`/api/agents/${agentId}/chat`, { message: 'hi' })).status).toBe(404);
  });
});
