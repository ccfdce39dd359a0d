import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startElevenLabsServer, toneFor, type ElevenLabsServer, type TtsSession } from '../../../tests/doubles/elevenlabs-server.js';
import type { PcmAudio } from '../audio/wav.js';
import { mulawToPcm } from '../audio/mulaw.js';
import { ElevenLabsTts, TextToSpeechError, elevenLabsVoice } from './elevenlabs-tts.js';

const KEY = 'xi-double-key-0123456789';
const VOICE = '21m00Tcm4TlvDq8ikWAM';
let server: ElevenLabsServer;
beforeAll(async () => {
  server = await startElevenLabsServer({ apiKey: KEY });
});
afterAll(() => server.close());
afterEach(() => server.reset());

const never = () => new AbortController().signal;
const tts = (options: Partial<ConstructorParameters<typeof ElevenLabsTts>[0]> = {}) =>
  new ElevenLabsTts({ apiKey: KEY, baseUrl: server.baseUrl, defaultVoiceId: VOICE, ...options });

async function collect(stream: AsyncIterable<PcmAudio>): Promise<PcmAudio[]> {
  const chunks: PcmAudio[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
function joined(chunks: PcmAudio[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c.samples, (at += c.samples.length) - c.samples.length);
  return out;
}
async function failure(promise: Promise<unknown>): Promise<TextToSpeechError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TextToSpeechError);
  return error as TextToSpeechError;
}
const onlySession = (): TtsSession => {
  expect(server.ttsSessions).toHaveLength(1);
  return server.ttsSessions[0]!;
};

describe('ElevenLabsTts', () => {
  it('streams the sentence as 8 kHz PCM chunks, decoded from the mu-law it asked for', async () => {
    const text = 'Your appointment is on Tuesday.';
    const chunks = await collect(tts().synthesize(text, { signal: never(), voice: VOICE }));

    expect(chunks.length).toBe(3); // the double's three audio messages, passed on as they came
    expect(chunks.every((c) => c.sampleRate === 8_000)).toBe(true);
    const audio = joined(chunks);
    expect(audio.length).toBe(text.length * 60 * 8); // 60 ms of tone per character at 8 kHz
    expect(Array.from(audio)).toEqual(Array.from(mulawToPcm(toneFor(text, 60))));

    const session = onlySession();
    expect(session.voiceId).toBe(VOICE);
    expect(session.query).toEqual({ model_id: 'eleven_flash_v2_5', output_format: 'ulaw_8000', auto_mode: 'true' });
    expect(session.apiKeyHeader).toBe(KEY);
    expect(session.messages).toEqual([{ text: ' ' }, { text: `${text} `, flush: true }, { text: '' }]);
    expect(JSON.stringify(session.messages)).not.toContain(KEY); // the key rides in the header only
    await waitFor(() => session.closed);
  });

  it('sends the model, voice settings and logging choice it is configured with', async () => {
    const engine = tts({ modelId: 'eleven_turbo_v2_5', voiceSettings: { stability: 0.4, similarity_boost: 0.8, speed: 1.1 }, enableLogging: false, autoMode: false });
    await collect(engine.synthesize('Hello.', { signal: never(), voice: 'pNInz6obpgDQGcFmaJgB' }));
    const session = onlySession();
    expect(session.voiceId).toBe('pNInz6obpgDQGcFmaJgB');
    expect(session.query).toEqual({ model_id: 'eleven_turbo_v2_5', output_format: 'ulaw_8000', enable_logging: 'false' });
    expect(session.messages[0]).toEqual({ text: ' ', voice_settings: { stability: 0.4, similarity_boost: 0.8, speed: 1.1 } });
    expect(session.text).toBe('Hello. ');
  });

  it('cleans the text and speaks nothing for text with nothing to say', async () => {
    await collect(tts().synthesize('  Line one\nline\u0007 two  ', { signal: never() }));
    expect(onlySession().text).toBe('Line one line two ');
    server.reset();
    expect(await collect(tts().synthesize(' ... — ', { signal: never() }))).toEqual([]);
    expect(server.ttsSessions).toHaveLength(0);
  });

  it("uses the default voice for an agent without an ElevenLabs voice id, and says so when there is none", async () => {
    await collect(tts().synthesize('Hi.', { signal: never(), voice: 'af_heart' }));
    expect(onlySession().voiceId).toBe(VOICE);
    expect(elevenLabsVoice('en-us', undefined)).toBeUndefined();
    expect(elevenLabsVoice(' pNInz6obpgDQGcFmaJgB ', VOICE)).toBe('pNInz6obpgDQGcFmaJgB');

    const error = await failure(collect(tts({ defaultVoiceId: undefined }).synthesize('Hi.', { signal: never(), voice: 'af_heart' })));
    expect(error).toMatchObject({ failure: 'config', retryable: false });
    expect(error.message).toMatch(/no ElevenLabs voice/);
  });

  it('stops promptly when aborted mid-sentence, closing the socket', async () => {
    Object.assign(server.tts, { chunks: 8, chunkDelayMs: 150 });
    const controller = new AbortController();
    const chunks: PcmAudio[] = [];
    let abortedAt = 0;
    for await (const chunk of tts().synthesize('A long answer that takes a while to say.', { signal: controller.signal })) {
      chunks.push(chunk);
      abortedAt = performance.now();
      controller.abort(); // after the first chunk
    }
    expect(performance.now() - abortedAt).toBeLessThan(50);
    expect(chunks).toHaveLength(1);
    const session = onlySession();
    await waitFor(() => session.closed);
    expect(session).toMatchObject({ closedBy: 'client', closeCode: 1000 });
    expect(session.chunksSent).toBeLessThan(8);
  });

  it('returns at once, without throwing, when aborted while waiting for audio', async () => {
    server.tts.mode = 'hang';
    const controller = new AbortController();
    const pending = collect(tts().synthesize('Hello there.', { signal: controller.signal }));
    await waitFor(() => server.ttsSessions[0]?.endOfInput === true);
    const started = performance.now();
    controller.abort();
    expect(await pending).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
    await waitFor(() => server.ttsSessions[0]!.closed);
    expect(server.ttsSessions[0]!.closedBy).toBe('client');
  });

  it('does not connect when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await collect(tts().synthesize('Hello.', { signal: controller.signal }))).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.ttsSessions).toHaveLength(0);
  });

  it('closes the socket when the consumer stops listening', async () => {
    Object.assign(server.tts, { chunks: 6, chunkDelayMs: 50 });
    for await (const chunk of tts().synthesize('Stop listening after the first part.', { signal: never() })) {
      expect(chunk.samples.length).toBeGreaterThan(0);
      break;
    }
    const session = onlySession();
    await waitFor(() => session.closed);
    expect(session.closedBy).toBe('client');
  });

  it.each(['close', 'message', 'http'] as const)('reports a refused key (%s) clearly, without the key', async (authFailure) => {
    server.tts.authFailure = authFailure;
    const wrong = 'xi-wrong-key-9876543210';
    const error = await failure(collect(tts({ apiKey: wrong }).synthesize('Hello.', { signal: never() })));
    expect(error).toMatchObject({ failure: 'auth', retryable: false });
    expect(error.code).toBe(authFailure === 'http' ? 401 : 1008);
    expect(error.message).toContain('Invalid API key');
    expect(error.message).not.toContain(wrong);
  });

  it('fails over quickly when no audio comes: a first-audio timeout', async () => {
    server.tts.mode = 'hang';
    const started = performance.now();
    const error = await failure(collect(tts({ firstAudioTimeoutMs: 200 }).synthesize('Hello there.', { signal: never() })));
    expect(error).toMatchObject({ failure: 'timeout', retryable: true });
    expect(error.message).toContain('no audio within 200 ms');
    expect(performance.now() - started).toBeLessThan(3_000); // without the timeout: never
    const session = onlySession();
    expect(session.endOfInput).toBe(true);
    await waitFor(() => session.closed);
    expect(session.closedBy).toBe('client');
  });

  it('times out audio that stalls mid-sentence', async () => {
    Object.assign(server.tts, { chunks: 3, chunkDelayMs: 300 });
    const chunks: PcmAudio[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of tts({ stallTimeoutMs: 100 }).synthesize('Slow speech here.', { signal: never() })) chunks.push(chunk);
      })(),
    );
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ failure: 'timeout' });
    expect(error.message).toContain('stalled for 100 ms');
  });

  it('throws when the connection drops mid-sentence, after the audio it had', async () => {
    Object.assign(server.tts, { mode: 'disconnect', disconnectAfterChunks: 1, chunks: 3 });
    const chunks: PcmAudio[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of tts().synthesize('This will be cut off.', { signal: never() })) chunks.push(chunk);
      })(),
    );
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ failure: 'network', code: 1006, retryable: true });
    expect(error.message).toContain('connection lost before the end of the audio');
  });

  it("passes on the service's own error, with the key cut out if it were ever echoed", async () => {
    server.tts.error = { message: `This request exceeds your quota (key ${KEY}).`, error: 'quota_exceeded' };
    const error = await failure(collect(tts().synthesize('Hello.', { signal: never() })));
    expect(error).toMatchObject({ failure: 'rejected', status: 'quota_exceeded', code: 1008, retryable: false });
    expect(error.message).toContain('exceeds your quota');
    expect(error.message).not.toContain(KEY);
    expect(error.message).toContain('[redacted]');
  });

  it('reports an unreachable endpoint as a connect failure', async () => {
    const gone = await startElevenLabsServer();
    await gone.close();
    const error = await failure(collect(tts({ baseUrl: gone.baseUrl }).synthesize('Hello.', { signal: never() })));
    expect(error).toMatchObject({ failure: 'connect', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('times out a connection that never completes the upgrade', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = performance.now();
      const error = await failure(collect(tts({ baseUrl: `ws://127.0.0.1:${port}`, connectTimeoutMs: 150 }).synthesize('Hello.', { signal: never() })));
      expect(error).toMatchObject({ failure: 'connect' });
      expect(error.message).toContain('did not connect within 150 ms');
      expect(performance.now() - started).toBeLessThan(3_000); // without the timeout: never
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('speaks several sentences in a row, one socket each', async () => {
    const engine = tts();
    for (const sentence of ['First one.', 'Second one.', 'Third.']) {
      const audio = joined(await collect(engine.synthesize(sentence, { signal: never() })));
      expect(audio.length).toBe(sentence.length * 480);
    }
    expect(server.ttsSessions.map((s) => s.text)).toEqual(['First one. ', 'Second one. ', 'Third. ']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
