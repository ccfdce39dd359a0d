import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { elevenLabsErrors, startElevenLabsServer, type ElevenLabsServer } from '../../../tests/doubles/elevenlabs-server.js';
import { ElevenLabsSpeechToText } from './elevenlabs-stt.js';
import { SpeechToTextError } from './transcription-request.js';

const KEY = 'xi-double-key-0123456789';
let server: ElevenLabsServer;
beforeAll(async () => {
  server = await startElevenLabsServer({ apiKey: KEY });
});
afterAll(() => server.close());
afterEach(() => server.reset());

const never = () => new AbortController().signal;
/** A tone, so the double has real samples to decode. */
function utterance(seconds: number): Int16Array {
  const samples = new Int16Array(Math.round(seconds * 16_000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16_000));
  return samples;
}
const stt = (options: Partial<ConstructorParameters<typeof ElevenLabsSpeechToText>[0]> = {}) =>
  new ElevenLabsSpeechToText({ apiKey: KEY, baseUrl: server.baseUrl, ...options });
async function failure(promise: Promise<unknown>): Promise<SpeechToTextError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpeechToTextError);
  return error as SpeechToTextError;
}

describe('ElevenLabsSpeechToText', () => {
  it('uploads the utterance as a 16 kHz WAV with model and language, and returns the text', async () => {
    server.stt.respond = (r) => (r.durationSec > 1 ? '  I would like to book a cleaning.  ' : 'yes');
    const result = await stt({ baseUrl: `${server.baseUrl}/v1/` }).transcribe(utterance(1.5), { signal: never(), language: 'en-US' });
    expect(result).toEqual({ text: 'I would like to book a cleaning.' });
    expect(server.sttRequests).toHaveLength(1);
    const [request] = server.sttRequests;
    expect(request).toMatchObject({
      apiKey: KEY,
      modelId: 'scribe_v1',
      languageCode: 'en',
      tagAudioEvents: 'false',
      timestampsGranularity: 'none',
      filename: 'utterance.wav',
      fileType: 'audio/wav',
      sampleRate: 16_000,
      durationSec: 1.5,
    });
    expect(Array.from(request!.samples)).toEqual(Array.from(utterance(1.5)));
  });

  it('leaves the language to detection when none is given, and takes another model', async () => {
    server.stt.enqueue('okay');
    expect(await stt({ modelId: 'scribe_v2', tagAudioEvents: true }).transcribe(utterance(0.4), { signal: never() })).toEqual({ text: 'okay' });
    expect(server.sttRequests[0]).toMatchObject({ languageCode: null, modelId: 'scribe_v2', tagAudioEvents: 'true' });
  });

  it('does not send a blip too short to hold a word', async () => {
    expect(await stt().transcribe(utterance(0.05), { signal: never() })).toEqual({ text: '' });
    expect(server.sttRequests).toHaveLength(0);
  });

  it('maps 401 invalid_api_key to a clear, non-retryable error without the key', async () => {
    const wrong = 'xi-wrong-key-9876543210';
    const error = await failure(stt({ apiKey: wrong }).transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'http', status: 401, code: 'invalid_api_key', retryable: false });
    expect(error.message).toBe('ElevenLabs transcription failed: HTTP 401 invalid_api_key: Invalid API key');
    expect(error.message).not.toContain(wrong);
  });

  it('maps an exhausted quota (401 quota_exceeded) to a non-retryable error', async () => {
    server.stt.enqueue(elevenLabsErrors.quotaExceeded());
    const error = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ status: 401, code: 'quota_exceeded', retryable: false });
    expect(error.message).toContain('exceeds your quota');
  });

  it('maps 500 and 429 to retryable errors', async () => {
    server.stt.enqueue(elevenLabsErrors.serverError(), elevenLabsErrors.rateLimited());
    const first = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(first).toMatchObject({ status: 500, code: 'internal_server_error', retryable: true });
    expect(first.message).toContain('HTTP 500');
    const second = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(second).toMatchObject({ status: 429, code: 'too_many_concurrent_requests', retryable: true });
  });

  it("reads FastAPI's validation errors", async () => {
    server.stt.enqueue(elevenLabsErrors.missingField('file'));
    const error = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ status: 422, code: 'validation_error', retryable: false });
    expect(error.message).toContain('body.file: Field required');
  });

  it('reports an answer without a transcript', async () => {
    server.stt.respond = () => ({ text: 42 }) as unknown as { text: string };
    const error = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'bad_response', status: 200 });
  });

  it('cancels the upload when the signal aborts, rejecting with the abort reason', async () => {
    server.stt.delayMs = 5_000;
    const controller = new AbortController();
    const started = performance.now();
    const pending = stt().transcribe(utterance(1), { signal: controller.signal });
    await waitFor(() => server.sttRequests.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitFor(() => server.sttRequests[0]!.clientClosedEarly);
  });

  it('does not send anything when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(stt().transcribe(utterance(1), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.sttRequests).toHaveLength(0);
  });

  it('times out a slow answer with a retryable error', async () => {
    server.stt.enqueue({ text: 'too late', delayMs: 3_000 });
    const started = performance.now();
    const error = await failure(stt({ timeoutMs: 200 }).transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'timeout', retryable: true });
    expect(error.message).toContain('200 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('reports an unreachable endpoint as a network failure', async () => {
    const gone = await startElevenLabsServer();
    await gone.close();
    const error = await failure(stt({ baseUrl: gone.baseUrl }).transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'network', status: null, retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
