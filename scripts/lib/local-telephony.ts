import { startOpenAiAudioServer, type OpenAiAudioServer } from '../../tests/doubles/openai-audio-server.js';
import { TwilioApiDouble } from '../../tests/doubles/twilio-api-server.js';
import { ApiClient } from '../../tests/helpers/api-client.js';
import type { SimulatedCallOptions } from './simulated-call.js';

/**
 * Everything a call needs besides the server, on 127.0.0.1: local doubles of Twilio's REST API
 * and of an OpenAI-compatible speech-to-text endpoint, the server environment that points at
 * them, and a tenant with agents and numbers. Shared by the tests' harness and the benchmarks.
 */
export const ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const AUTH_TOKEN = 'twilio-test-auth-token';
export const PUBLIC_URL = 'https://voice.example.test';

export interface TelephonyDoubles {
  twilio: TwilioApiDouble;
  stt: OpenAiAudioServer;
  /** Server environment: Twilio credentials and STT pointed at the doubles, a roomy rate limit. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startTelephonyDoubles(): Promise<TelephonyDoubles> {
  const twilio = await TwilioApiDouble.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const stt = await startOpenAiAudioServer({ respond: () => '' });
  return {
    twilio,
    stt,
    env: {
      PUBLIC_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilio.url,
      STT_ENGINE: 'openai',
      STT_BASE_URL: stt.baseUrl,
      STT_API_KEY: stt.apiKey,
      STT_MODEL: 'whisper-1',
      RATE_LIMIT_PER_MINUTE: '100000',
    },
    async stop() {
      await stt.close();
      await twilio.stop();
    },
  };
}

export type Tenant = ApiClient & { tenantId: string; apiKey: string };

export async function createTenant(serverUrl: string, adminKey: string, name = 'Flowmaster Plumbing'): Promise<Tenant> {
  const res = await new ApiClient(serverUrl, adminKey).post('/api/tenants', { name });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return Object.assign(new ApiClient(serverUrl, res.body.apiKey), { tenantId: res.body.id as string, apiKey: res.body.apiKey as string });
}

/** An agent answering on `number`; returns its id. */
export async function createAgentWithNumber(tenant: ApiClient, number: string, agent: Record<string, unknown>): Promise<string> {
  const created = await tenant.post('/api/agents', { name: 'Flowmaster', ...agent });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const attached = await tenant.post('/api/phone-numbers', { number, agentId: created.body.id });
  if (attached.status !== 201) throw new Error(JSON.stringify(attached.body));
  return created.body.id as string;
}

/** How a simulated caller reaches a server that uses these doubles' credentials. */
export function callOptions(serverUrl: string, to: string): SimulatedCallOptions {
  return { serverUrl, publicUrl: PUBLIC_URL, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, to };
}
