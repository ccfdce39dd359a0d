import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAiErrors, startOpenAiAudioServer, type OpenAiAudioServer } from '../../../tests/doubles/openai-audio-server.js';
import { OpenAiSpeechToText, SpeechToTextError } from './openai-stt.js';

let server: OpenAiAudioServer;
beforeAll(async () => {
  server = await startOpenAiAudioServer({ apiKey: 'sk-double' });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
  server.delayMs = 0;
  server.respond = (r) => `heard ${r.durationSec.toFixed(2)} seconds`;
});

const never = () => new AbortController().signal;
/** A tone, so the double has real samples to decode. */
function utterance(seconds: number): Int16Array {
  const samples = new Int16Array(Math.round(seconds * 16_000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16_000));
  return samples;
}
const stt = (options: Partial<ConstructorParameters<typeof OpenAiSpeechToText>[0]> = {}) =>
  new OpenAiSpeechToText({ baseUrl: server.baseUrl, apiKey: 'sk-double', model: 'whisper-1', ...options });
async function failure(promise: Promise<unknown>): Promise<SpeechToTextError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpeechToTextError);
  return error as SpeechToTextError;
}

describe('OpenAiSpeechToText', () => {
  it('posts the utterance as a 16 kHz WAV with the model and language, and returns the text', async () => {
    server.respond = (r) => (r.durationSec > 1 ? 'I would like to book a cleaning.' : 'yes');
    const result = await stt({ baseUrl: `${server.baseUrl}/` }).transcribe(utterance(1.5), { signal: never(), language: 'en-US' });
    expect(result).toEqual({ text: 'I would like to book a cleaning.' });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({
      authorization: 'Bearer sk-double',
      model: 'whisper-1',
      language: 'en',
      responseFormat: 'json',
      filename: 'utterance.wav',
      fileType: 'audio/wav',
      sampleRate: 16_000,
      durationSec: 1.5,
    });
    expect(Array.from(request!.samples.subarray(0, 100))).toEqual(Array.from(utterance(1.5).subarray(0, 100)));
  });

  it('leaves out the language when none is given, and trims the transcript', async () => {
    server.enqueue('  okay  ');
    expect(await stt({ model: 'gpt-4o-mini-transcribe' }).transcribe(utterance(0.4), { signal: never() })).toEqual({ text: 'okay' });
    expect(server.requests[0]).toMatchObject({ language: null, model: 'gpt-4o-mini-transcribe' });
  });

  it('does not send a blip shorter than the API accepts', async () => {
    expect(await stt().transcribe(utterance(0.05), { signal: never() })).toEqual({ text: '' });
    expect(server.requests).toHaveLength(0);
  });

  it('maps 401 invalid_api_key to a clear, non-retryable error', async () => {
    const error = await failure(stt({ apiKey: 'sk-wrong' }).transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'http', status: 401, code: 'invalid_api_key', type: 'invalid_request_error', retryable: false });
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('Incorrect API key provided');
  });

  it('maps 429 rate_limit_exceeded to a retryable error', async () => {
    server.enqueue(openAiErrors.rateLimited());
    const error = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true });
    expect(error.message).toMatch(/HTTP 429 rate_limit_exceeded: Rate limit reached/);
  });

  it('maps 500 server_error to a retryable error', async () => {
    server.enqueue(openAiErrors.serverError());
    const error = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ status: 500, code: null, type: 'server_error', retryable: true });
    expect(error.message).toContain('The server had an error');
  });

  it('reports an answer without a transcript', async () => {
    server.respond = () => ({ text: 42 }) as unknown as { text: string };
    const error = await failure(stt().transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'bad_response', status: 200 });
  });

  it('cancels the request when the signal aborts, rejecting with the abort reason', async () => {
    server.delayMs = 5_000;
    const controller = new AbortController();
    const started = performance.now();
    const pending = stt().transcribe(utterance(1), { signal: controller.signal });
    await waitFor(() => server.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitFor(() => server.requests[0]!.clientClosedEarly);
  });

  it('does not send anything when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(stt().transcribe(utterance(1), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(0);
  });

  it('times out a slow endpoint with a retryable error', async () => {
    server.enqueue({ text: 'too late', delayMs: 3_000 });
    const started = performance.now();
    const error = await failure(stt({ timeoutMs: 200 }).transcribe(utterance(1), { signal: never() }));
    expect(error).toMatchObject({ failure: 'timeout', retryable: true });
    expect(error.message).toContain('200 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('reports an unreachable endpoint as a network failure', async () => {
    const gone = await startOpenAiAudioServer();
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
