import { SimulatedCall } from '../../scripts/lib/simulated-call.js';
import { callOptions, createAgentWithNumber, startTelephonyDoubles } from '../../scripts/lib/local-telephony.js';
import type { OpenAiAudioServer } from '../doubles/openai-audio-server.js';
import type { TwilioApiDouble } from '../doubles/twilio-api-server.js';
import { startTestServer, type TestServer } from './test-server.js';

export { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL } from '../../scripts/lib/local-telephony.js';
import { jfkAt8k } from '../../scripts/lib/caller-audio.js';
export { jfkAt8k, slice } from '../../scripts/lib/caller-audio.js';

export interface TelephonyHarness {
  server: TestServer;
  twilio: TwilioApiDouble;
  stt: OpenAiAudioServer;
  tenant: Awaited<ReturnType<TestServer['newTenant']>>;
  agentId: string;
  number: string;
  dial(options?: { to?: string }): Promise<SimulatedCall>;
  ring(options?: { to?: string }): Promise<SimulatedCall>;
  stop(): Promise<void>;
}

/** The real server with Twilio's REST API and an OpenAI-compatible STT served by local doubles. */
export async function startTelephonyHarness(options: { env?: Record<string, string>; agent?: Record<string, unknown> } = {}): Promise<TelephonyHarness> {
  const doubles = await startTelephonyDoubles();
  const server = await startTestServer({ ...doubles.env, RATE_LIMIT_PER_MINUTE: '10000', ...options.env });
  const tenant = await server.newTenant('Flowmaster Plumbing');
  const number = '+14155550100';
  const agentId = await createAgentWithNumber(tenant, number, { greeting: 'Thanks for calling Flowmaster Plumbing. How can I help?', ...options.agent });
  return {
    server,
    twilio: doubles.twilio,
    stt: doubles.stt,
    tenant,
    agentId,
    number,
    dial: (o = {}) => SimulatedCall.dial(callOptions(server.url, o.to ?? number)),
    ring: (o = {}) => SimulatedCall.ring(callOptions(server.url, o.to ?? number)),
    async stop() {
      await server.stop();
      await doubles.stop();
    },
  };
}

/** Dial, hear the greeting, say one phrase of real speech, hear the answer, hang up. */
export async function askOneQuestion(h: TelephonyHarness) {
  const call = await h.dial();
  await call.waitFor(() => call.count('mark') >= 1, 10_000);
  await call.say(jfkAt8k().slice(0, 8000 * 2.5));
  await call.waitFor(() => call.count('mark') >= 2, 15_000);
  call.hangUp();
  await call.closed;
  return call;
}
