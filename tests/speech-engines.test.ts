import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startElevenLabsServer, type ElevenLabsServer } from './doubles/elevenlabs-server.js';
import { watchHostPerTest } from './helpers/host-load.js';
import { startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';
import { startTestServer } from './helpers/test-server.js';
import { createAgentWithNumber } from '../scripts/lib/local-telephony.js';

const VOICE_ID = 'pNInz6obpgDQGcFmaJgB';
const host = watchHostPerTest();

describe('speech engines on a server with no model files and no network', () => {
  it('starts, says in one line what is missing and how to get it, and reports the engines in /readyz', async () => {
    const server = await startTestServer();
    try {
      const missing = server.logs.filter((l) => l.event === 'models.missing');
      expect(missing).toHaveLength(1);
      expect(String(missing[0]!.msg)).toMatch(/whisper base\.en .*kokoro .*npm run models/);
      expect(String(missing[0]!.msg)).not.toContain('\n');
      const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { status: string; checks: Record<string, { ok: boolean; detail: string }> };
      expect(ready.status).toBe('ready');
      expect(ready.checks.tts).toMatchObject({ ok: true, detail: expect.stringContaining('espeak') });
      expect(ready.checks.stt).toMatchObject({ ok: false, detail: expect.stringContaining('whisper: missing') });
    } finally {
      await server.stop();
    }
  });
});

describe('an agent that speaks with ElevenLabs', () => {
  let h: TelephonyHarness;
  let eleven: ElevenLabsServer;
  beforeAll(async () => {
    eleven = await startElevenLabsServer();
    h = await startTelephonyHarness({
      // The server default stays Kokoro (missing here); the agent picks ElevenLabs for itself.
      env: { ELEVENLABS_API_KEY: eleven.apiKey, ELEVENLABS_BASE_URL: eleven.baseUrl },
      agent: { voice: VOICE_ID, settings: { speech: { tts: 'elevenlabs' } } },
    });
  });
  afterEach(() => eleven.reset());
  afterAll(async () => {
    await h.stop();
    await eleven.close();
  });

  it('streams the greeting from ElevenLabs in the agent voice as 8 kHz mu-law, no resampling', async () => {
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 10_000);
    call.hangUp();
    await call.closed;
    // Each sentence is one ElevenLabs session (the call also prefetches its "One moment." line).
    const session = eleven.ttsSessions.find((s) => s.text.includes('Thanks for calling'))!;
    expect(session).toMatchObject({ voiceId: VOICE_ID, endOfInput: true });
    expect(session.query).toMatchObject({ output_format: 'ulaw_8000', model_id: 'eleven_flash_v2_5' });
    expect(session.text).toContain('Thanks for calling Flowmaster Plumbing');
    // Every byte ElevenLabs sent reached the caller (G.711 decode → encode is lossless).
    const heard = Buffer.concat(call.played);
    expect(heard.length).toBeGreaterThanOrEqual(session.audio.length);
    expect(heard.subarray(0, session.audio.length).equals(Buffer.from(session.audio))).toBe(true);
  });

  it('falls back to the embedded voice when ElevenLabs hangs: the caller hears the greeting within 2 s', async () => {
    eleven.tts.mode = 'hang';
    // Another agent: the first agent's greeting is cached by now and would not reach ElevenLabs.
    const number = '+14155550111';
    await createAgentWithNumber(h.tenant, number, {
      greeting: 'Hello, you have reached the after-hours line.',
      voice: VOICE_ID,
      settings: { speech: { tts: 'elevenlabs' } },
    });
    const call = await h.dial({ to: number });
    await call.waitFor(() => call.count('mark') >= 1, 10_000);
    const firstAudio = call.log.find((e) => e.type === 'audio-start')!.atMs;
    call.hangUp();
    await call.closed;
    expect(eleven.ttsSessions.length).toBeGreaterThanOrEqual(1);
    expect(firstAudio, host.describe()).toBeLessThan(host.allow(2000));
    expect(call.played.length).toBeGreaterThan(50); // a whole greeting, in espeak-ng's voice
    expect(h.server.logs.some((l) => l.event === 'tts.fallback' && String(l.engine).includes('elevenlabs'))).toBe(true);
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    expect(metrics).toMatch(/voice_engine_fallbacks_total\{kind="tts",engine="elevenlabs[^"]*"\} [1-9]/);
  });
});
