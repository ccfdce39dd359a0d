import { CircuitBreaker } from '../../resilience/circuit-breaker.js';
import type { Logger } from '../../observability/logger.js';
import { EngineTimeoutError, raceDeadline } from './fallback-tts.js';
import type { SpeechToText } from './speech-to-text.js';

/**
 * Speech-to-text engines tried in order for each utterance: a failure, a refusal (a full queue) or
 * a hang sends the utterance to the next one. One breaker per engine for the whole process, so
 * after repeated failures calls stop waiting on it. When every engine fails the error reaches the
 * call session, which asks the caller to repeat rather than going quiet.
 */
export interface SttLink {
  engine: SpeechToText;
  breaker: CircuitBreaker;
  /** False while the engine cannot be used at all (a local model still downloading or loading). */
  available?: () => boolean;
}

export function sttLink(engine: SpeechToText, available?: () => boolean): SttLink {
  return { engine, breaker: new CircuitBreaker({ failureThreshold: 2, cooldownMs: 30_000 }), available };
}

export class FallbackSpeechToText implements SpeechToText {
  readonly name: string;

  constructor(
    private readonly chain: readonly SttLink[],
    private readonly options: { log: Logger; timeoutMs?: number; onFallback?: (engine: string) => void },
  ) {
    if (chain.length === 0) throw new Error('a speech-to-text chain needs at least one engine');
    this.name = chain.map((l) => l.engine.name).join('>');
  }

  async transcribe(audio: Int16Array, options: { signal: AbortSignal; language?: string }): Promise<{ text: string }> {
    let lastError: unknown = new Error(`no speech-to-text engine is available (${this.name})`);
    for (const [index, { engine, breaker, available }] of this.chain.entries()) {
      if (available && !available()) continue;
      // The last engine is tried even with its breaker open: trying beats not hearing the caller.
      const permit = breaker.acquire();
      if (!permit && index < this.chain.length - 1) continue;
      const controller = new AbortController();
      const forward = () => controller.abort(options.signal.reason);
      options.signal.addEventListener('abort', forward, { once: true });
      const ms = this.options.timeoutMs ?? 6000;
      try {
        const result = await raceDeadline(
          engine.transcribe(audio, { ...options, signal: controller.signal }),
          ms,
          options.signal,
          () => new EngineTimeoutError(engine.name, 'transcript', ms),
        );
        permit?.success();
        return result;
      } catch (error) {
        controller.abort(new Error('transcript no longer wanted'));
        if (options.signal.aborted) {
          permit?.release();
          throw error;
        }
        permit?.failure();
        this.options.onFallback?.(engine.name);
        lastError = error;
        const next = this.chain[index + 1]?.engine.name;
        this.options.log.warn({ event: 'stt.fallback', engine: engine.name, next, err: error }, `${engine.name} failed${next ? '; trying the next engine' : ''}`);
      } finally {
        options.signal.removeEventListener('abort', forward);
      }
    }
    throw lastError;
  }
}
