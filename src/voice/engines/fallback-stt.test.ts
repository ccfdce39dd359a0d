import { describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { FallbackSpeechToText, sttLink } from './fallback-stt.js';
import type { SpeechToText } from './speech-to-text.js';

const log = createLogger('silent');
const audio = new Int16Array(16000);

function engine(name: string, behaviour: 'ok' | 'throw' | 'hang'): SpeechToText & { calls: number } {
  const e = {
    name,
    calls: 0,
    async transcribe(_audio: Int16Array, { signal }: { signal: AbortSignal }) {
      e.calls++;
      if (behaviour === 'throw') throw new Error(`${name} is busy`);
      if (behaviour === 'hang') await new Promise(() => undefined);
      signal.throwIfAborted();
      return { text: `heard by ${name}` };
    },
  };
  return e;
}

describe('a speech-to-text fallback chain', () => {
  it('uses the first engine that answers', async () => {
    const stt = new FallbackSpeechToText([sttLink(engine('local', 'throw')), sttLink(engine('cloud', 'ok'))], { log });
    expect(await stt.transcribe(audio, { signal: new AbortController().signal })).toEqual({ text: 'heard by cloud' });
  });

  it('moves on from a hung engine at the deadline', async () => {
    const stt = new FallbackSpeechToText([sttLink(engine('local', 'hang')), sttLink(engine('cloud', 'ok'))], { log, timeoutMs: 100 });
    const started = performance.now();
    expect((await stt.transcribe(audio, { signal: new AbortController().signal })).text).toBe('heard by cloud');
    expect(performance.now() - started).toBeLessThan(3000); // the hung engine never answers
  });

  it('skips engines that are not available and fails clearly when none is', async () => {
    const local = engine('local', 'ok');
    const stt = new FallbackSpeechToText([sttLink(local, () => false)], { log });
    await expect(stt.transcribe(audio, { signal: new AbortController().signal })).rejects.toThrow(/no speech-to-text engine is available/);
    expect(local.calls).toBe(0);
  });

  it('passes the abort through without trying the next engine', async () => {
    const cloud = engine('cloud', 'ok');
    const stt = new FallbackSpeechToText([sttLink(engine('local', 'hang')), sttLink(cloud)], { log, timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller hung up')), 30);
    await expect(stt.transcribe(audio, { signal: controller.signal })).rejects.toThrow(/caller hung up/);
    expect(cloud.calls).toBe(0);
  });
});
