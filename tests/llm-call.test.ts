import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiChatServer, type OpenAiChatServer } from './doubles/openai-chat-server.js';
import { askOneQuestion, jfkAt8k, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

describe('a phone call with a language model', () => {
  let model: OpenAiChatServer;
  let h: TelephonyHarness;
  beforeAll(async () => {
    model = await startOpenAiChatServer();
    h = await startTelephonyHarness({ env: { OPENAI_API_KEY: model.apiKey, OPENAI_BASE_URL: model.baseUrl }, agent: { greeting: 'Hello!' } });
  });
  afterAll(async () => {
    await h.stop();
    await model.close();
  });

  it('speaks the answer as it streams, and a barge-in aborts the model mid-answer', async () => {
    const long = 'We offer cleanings, fillings and whitening. ' + Array.from({ length: 12 }, (_, i) => `Here is detail number ${i + 1} about our many services.`).join(' ');
    let requests = 0;
    model.respond = () => (requests++ === 0 ? { content: long, chunkDelayMs: 120 } : { content: 'Of course. What would you like to know?' });
    h.stt.respond = () => (h.stt.requests.length === 1 ? 'what services do you offer' : 'wait, I have another question');
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 10_000); // greeting heard
    await call.say(jfkAt8k().slice(0, 8000 * 2.5));
    const spokeAt = call.now();
    const spokeAtWall = performance.now();
    // First audio of the answer arrives while the model is still streaming.
    await call.waitFor(() => call.log.some((e) => e.type === 'audio-start' && e.atMs > spokeAt), 10_000);
    expect(model.disconnected).toHaveLength(0);
    // 2.5 s of agent audio: the start of the answer, after a "One moment." if a slow machine made
    // the answer late enough for one.
    await call.waitFor(() => call.arrivals.filter((at) => at > spokeAtWall).length >= 125, 15_000);
    await call.say(jfkAt8k().slice(0, 8000 * 2.5)); // the caller talks over it
    await call.waitFor(() => model.requests.length >= 2, 10_000);
    expect(model.disconnected.length).toBe(1); // the first answer's stream was cut when the caller took the turn
    expect(call.count('clear')).toBeGreaterThanOrEqual(1);

    // The second request remembers only what the caller heard of the first answer.
    const history = model.requests[1]!.body.messages.filter((m) => m.role === 'assistant').map((m) => m.content ?? '');
    const heard = history.find((t) => t.startsWith('We offer cleanings'));
    expect(heard).toBeDefined();
    expect(heard!.length).toBeLessThan(long.length);
    call.hangUp();
    await call.closed;
    const turns = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body.turns;
    expect(turns.find((t: { text: string }) => t.text.startsWith('We offer cleanings'))).toMatchObject({ interrupted: true });
  });

  it('records the tools the model ran in the call transcript, and ties a message to its call', async () => {
    let round = 0;
    model.respond = () =>
      round++ === 0
        ? { toolCalls: [{ name: 'take_message', arguments: JSON.stringify({ name: 'Sam', callbackNumber: '+14155550177', message: 'Call me back about a leak.' }) }] }
        : { content: "Thanks Sam, I'll pass that on." };
    h.stt.respond = () => 'please take a message';
    const call = await askOneQuestion(h);
    const turns = (await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body.turns as { speaker: string; text: string }[];
    expect(turns.find((t) => t.speaker === 'system')?.text).toMatch(/^tool take_message: Message saved/);
    expect(turns.at(-1)).toMatchObject({ speaker: 'agent', text: "Thanks Sam, I'll pass that on." });
    const messages = (await h.tenant.get('/api/messages')).body.messages;
    expect(messages[0]).toMatchObject({ callId: call.parameters.callId, callerName: 'Sam', message: 'Call me back about a leak.' });
    expect((await h.tenant.get(`/api/calls/${call.parameters.callId}`)).body.outcome).toBe('message_taken');
  });
});
