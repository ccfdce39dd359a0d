import { CircuitBreaker } from '../../resilience/circuit-breaker.js';
import type { Logger } from '../../observability/logger.js';
import type { PcmAudio } from '../audio/wav.js';
import { normalizeForSpeech } from '../speech-text/normalize-for-speech.js';
import type { SynthesizeOptions, TextToSpeech } from './text-to-speech.js';

/**
 * Text-to-speech engines tried in order for each sentence: when one fails, hangs before its first
 * audio, or stalls mid-sentence, the next speaks the sentence, so a failing engine costs the caller
 * a voice change, never dead air. Each engine has one circuit breaker for the whole process: after
 * repeated failures every call skips it (no caller waits out its timeout) until a trial succeeds.
 * The last engine (embedded espeak-ng) is always tried, whatever its breaker says.
 */
export interface TtsLink {
  engine: TextToSpeech;
  breaker: CircuitBreaker;
  /** False while the engine cannot be used at all (a local model still downloading or loading). */
  available?: () => boolean;
}

export interface FallbackTtsOptions {
  /** No audio from an engine this long after asking → the next engine (the caller is waiting). */
  firstAudioTimeoutMs?: number;
  /** No further audio this long in the middle of a sentence → the next engine. */
  stallTimeoutMs?: number;
  log: Logger;
  /** Told the name of each engine that failed a sentence (for /metrics). */
  onFallback?: (engine: string) => void;
}

const LAST_ENGINE_TIMEOUT_MS = 15_000;

export class EngineTimeoutError extends Error {
  constructor(engine: string, what: string, ms: number) {
    super(`${engine} gave no ${what} within ${ms} ms`);
    this.name = 'EngineTimeoutError';
  }
}

export function ttsLink(engine: TextToSpeech, available?: () => boolean): TtsLink {
  return { engine, breaker: new CircuitBreaker({ failureThreshold: 2, cooldownMs: 30_000 }), available };
}

export class FallbackTextToSpeech implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly chain: readonly TtsLink[],
    private readonly options: FallbackTtsOptions,
  ) {
    if (chain.length === 0) throw new Error('a text-to-speech chain needs at least one engine');
    this.name = chain.map((l) => l.engine.name).join('>');
  }

  voiceNow(): string {
    const last = this.chain.length - 1;
    const link = this.chain.find(({ breaker, available }, index) => index === last || ((!available || available()) && breaker.state !== 'open'));
    return link!.engine.name;
  }

  async *synthesize(written: string, options: SynthesizeOptions): AsyncIterable<PcmAudio> {
    // Once, here, for every engine: "$89", "9am–5pm" and "(555) 123-4567" read as people say them.
    const text = normalizeForSpeech(written);
    const last = this.chain.length - 1;
    for (const [index, { engine, breaker, available }] of this.chain.entries()) {
      if (index !== last && available && !available()) continue;
      const permit = index === last ? undefined : breaker.acquire();
      if (index !== last && !permit) continue;
      try {
        options.onEngine?.(engine.name);
        // The last engine has nothing behind it: late audio beats none, so it only gets a long bound.
        yield* this.withDeadlines(engine, text, options, index === last ? LAST_ENGINE_TIMEOUT_MS : undefined);
        permit?.success();
        return;
      } catch (error) {
        if (options.signal.aborted) {
          permit?.release();
          return;
        }
        permit?.failure();
        this.options.onFallback?.(engine.name);
        if (index === last) throw error;
        this.options.log.warn(
          { event: 'tts.fallback', engine: engine.name, next: this.chain[index + 1]!.engine.name, err: error },
          `${engine.name} failed; speaking this sentence with the next engine`,
        );
      }
    }
  }

  /** One engine's audio, failing with EngineTimeoutError when it goes quiet (hung engines may ignore aborts). */
  private async *withDeadlines(engine: TextToSpeech, text: string, options: SynthesizeOptions, fixedMs?: number): AsyncIterable<PcmAudio> {
    const controller = new AbortController();
    const forward = () => controller.abort(options.signal.reason);
    options.signal.addEventListener('abort', forward, { once: true });
    const iterator = engine.synthesize(text, { ...options, signal: controller.signal })[Symbol.asyncIterator]();
    let first = true;
    let finished = false;
    try {
      for (;;) {
        const ms = fixedMs ?? (first ? (this.options.firstAudioTimeoutMs ?? 1500) : (this.options.stallTimeoutMs ?? 5000));
        const next = await raceDeadline(iterator.next(), ms, options.signal, () => new EngineTimeoutError(engine.name, first ? 'audio' : 'further audio', ms));
        if (next.done) {
          finished = true;
          return;
        }
        first = false;
        yield next.value;
      }
    } finally {
      options.signal.removeEventListener('abort', forward);
      if (!finished) {
        controller.abort(new Error('speech no longer wanted'));
        // Not awaited: a hung engine's return() may never settle.
        void iterator.return?.().catch(() => undefined);
      }
    }
  }
}

/** `promise`, or a rejection after `ms` (or when the caller's signal aborts). */
export async function raceDeadline<T>(promise: Promise<T>, ms: number, signal: AbortSignal, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError()), ms);
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
