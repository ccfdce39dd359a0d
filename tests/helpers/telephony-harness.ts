import { readFileSync } from 'node:fs';
import { resample } from '../../src/voice/audio/resampler.js';
import { decodeWav } from '../../src/voice/audio/wav.js';
import { SimulatedCall } from '../../scripts/lib/simulated-call.js';
import { startOpenAiAudioServer, type OpenAiAudioServer } from '../doubles/openai-audio-server.js';
import { TwilioApiDouble } from '../doubles/twilio-api-server.js';
import { startTestServer, type TestServer } from './test-server.js';

export const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const AUTH_TOKEN = 'twilio-test-auth-token';
export const PUBLIC_URL = 'https://voice.example.test';

/** jfk.wav (real speech, 16 kHz) as 8 kHz telephone audio. */
export function jfkAt8k(): Int16Array {
  const wav = decodeWav(readFileSync(new URL('../../../shared/fixtures/audio/jfk.wav', import.meta.url)));
  return resample(wav.samples, wav.sampleRate, 8000);
}

export function slice(pcm8k: Int16Array, fromMs: number, toMs: number): Int16Array {
  return pcm8k.slice(fromMs * 8, toMs * 8);
}

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
  const twilioApi = await TwilioApiDouble.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const stt = await startOpenAiAudioServer({ respond: () => '' });
  const server = await startTestServer({
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: twilioApi.url,
    STT_ENGINE: 'openai',
    STT_BASE_URL: stt.baseUrl,
    STT_API_KEY: stt.apiKey,
    STT_MODEL: 'whisper-1',
    RATE_LIMIT_PER_MINUTE: '10000',
    ...options.env,
  });
  const tenant = await server.newTenant('Flowmaster Plumbing');
  const agent = await tenant.post('/api/agents', { name: 'Flowmaster', greeting: 'Thanks for calling Flowmaster Plumbing. How can I help?', ...options.agent });
  if (agent.status !== 201) throw new Error(JSON.stringify(agent.body));
  const number = '+14155550100';
  await tenant.post('/api/phone-numbers', { number, agentId: agent.body.id });
  const callOptions = (to = number) => ({ serverUrl: server.url, publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, to });
  return {
    server,
    twilio: twilioApi,
    stt,
    tenant,
    agentId: agent.body.id,
    number,
    dial: (o = {}) => SimulatedCall.dial(callOptions(o.to)),
    ring: (o = {}) => SimulatedCall.ring(callOptions(o.to)),
    async stop() {
      await server.stop();
      await stt.close();
      await twilioApi.stop();
    },
  };
}
