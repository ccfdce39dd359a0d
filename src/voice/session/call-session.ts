import type { Brain, BrainAction, BrainContext, ConversationTurn } from '../../brain/brain.js';
import type { Logger } from '../../observability/logger.js';
import { resample } from '../audio/resampler.js';
import type { SpeechToText } from '../engines/speech-to-text.js';
import type { TextToSpeech } from '../engines/text-to-speech.js';
import { isBackchannel } from '../turn/backchannel.js';
import { TurnDetector, type TurnEvent } from '../turn/turn-detector.js';
import type { TurnSettings } from '../turn/turn-settings.js';
import type { SileroVad } from '../vad/silero-vad.js';
import { AsyncQueue } from './async-queue.js';
import type { CallRecorder, TurnLatency } from './call-recorder.js';
import type { MediaChannel } from './media-channel.js';
import type { PhraseCache } from './phrase-cache.js';
import { Playback } from './playback.js';
import { Speaker } from './speaker.js';
import { vadWindows, type InboundFrame } from './vad-stage.js';

/** What the call can do to itself beyond speaking: Twilio REST in production. */
export interface CallControls {
  transfer(number: string): Promise<void>;
  hangUp(): Promise<void>;
}

const HOLD_ON = 'One moment.';
const DID_NOT_CATCH = "Sorry, I didn't catch that. Could you say it again?";

export interface CallSessionOptions {
  channel: MediaChannel;
  vad: SileroVad;
  stt: SpeechToText;
  tts: TextToSpeech;
  brain: Brain;
  phraseCache: PhraseCache;
  recorder: CallRecorder;
  controls: CallControls;
  log: Logger;
  context: Omit<BrainContext, 'history'>;
  voice?: string;
  /** Speaking rate for this agent (1 = normal). */
  speed?: number;
  /** Caller speech end → "One moment." when no answer is audible by then (stream ms; default 1700). */
  holdOnAfterMs?: number;
  turn: TurnSettings;
  silenceTimeoutMs: number;
  maxCallMs: number;
}

export interface SessionMetrics {
  /** Caller speech onset → clear sent, in stream time (ms), one per barge-in. */
  bargeInMs: number[];
  falseBargeIns: number;
}

interface AgentTurn {
  controller: AbortController;
  /** Stream time of the turn's first audio. */
  startMs?: number;
  /** Filled in as the turn goes; kept when the caller talks over it. */
  latency: TurnLatency;
}

/**
 * One phone call: frames in → VAD → turn detection → STT → brain → TTS → paced frames out.
 * Each agent turn owns an AbortController; a barge-in is that one abort plus a clear.
 */
export class CallSession {
  readonly metrics: SessionMetrics = { bargeInMs: [], falseBargeIns: 0 };
  private readonly inbound = new AsyncQueue<InboundFrame>();
  private readonly playback: Playback;
  private readonly speaker: Speaker;
  private readonly detector: TurnDetector;
  private readonly callController = new AbortController();
  private readonly history: ConversationTurn[] = [];
  private agentTurn?: AgentTurn;
  private pendingBargeIn?: { onsetMs: number };
  private utterances: Promise<void> = Promise.resolve();
  private silenceTimer?: NodeJS.Timeout;
  private maxCallTimer?: NodeJS.Timeout;
  private checkIns = 0;
  private holdOnTimer?: NodeJS.Timeout;
  private lastFrame = { streamMs: 0, at: performance.now() };
  private ending = false;
  private endReason?: string;
  readonly finished: Promise<void>;

  constructor(private readonly o: CallSessionOptions) {
    this.playback = new Playback(o.channel);
    this.speaker = new Speaker(o.tts, this.playback, o.phraseCache, { voice: o.voice, speed: o.speed });
    this.detector = new TurnDetector(o.turn);
    this.finished = this.listen();
  }

  /** Greets the caller and starts the call clock. */
  start(): void {
    this.maxCallTimer = setTimeout(() => void this.endCall('max_duration', "I'm sorry, we've reached the time limit for this call. Goodbye."), this.o.maxCallMs);
    this.speak(this.scripted([{ type: 'say', text: this.o.brain.greeting(this.brainContext()) }]), { cacheable: true });
    // Ready before they are needed: they are said exactly when an engine is being slow or failing.
    for (const phrase of [HOLD_ON, DID_NOT_CATCH]) void this.speaker.prefetch(phrase, this.callController.signal).catch(() => undefined);
  }

  onMedia(frame: InboundFrame): void {
    this.lastFrame = { streamMs: frame.timestampMs, at: performance.now() };
    this.inbound.push(frame);
  }

  onMark(name: string): void {
    this.playback.onMark(name);
  }

  onDtmf(digit: string): void {
    this.o.recorder.turn('caller', `(pressed ${digit})`, { startMs: Math.round(this.streamNow()) });
    if (digit !== '0') return;
    this.interruptAgent();
    const number = this.o.context.agent.transferNumber;
    this.speak(
      this.scripted(
        number
          ? [{ type: 'say', text: 'Connecting you now.' }, { type: 'transfer', reason: 'caller pressed 0' }]
          : [{ type: 'say', text: "I'm sorry, there's nobody available to transfer you to right now." }],
      ),
      { cacheable: true },
    );
  }

  /** The far end hung up or the socket closed: stop everything and write the call down. */
  stop(reason: string): void {
    if (this.callController.signal.aborted) return;
    this.interruptAgent();
    this.callController.abort();
    this.inbound.close();
    clearTimeout(this.silenceTimer);
    clearTimeout(this.maxCallTimer);
    this.disarmHoldOn();
    this.o.recorder.update({ status: 'completed', endedAt: new Date(), endReason: this.ending ? undefined : reason });
  }

  /** Stream time now: the last inbound timestamp plus the wall time since it arrived. */
  private streamNow(): number {
    return this.lastFrame.streamMs + (performance.now() - this.lastFrame.at);
  }

  private async listen(): Promise<void> {
    try {
      for await (const window of vadWindows(this.inbound, this.o.vad)) {
        const event = this.detector.push(window);
        if (event) this.onTurnEvent(event);
      }
    } catch (error) {
      this.o.log.error({ err: error, event: 'call.listen_failed' }, 'inbound audio pipeline failed');
    }
  }

  private onTurnEvent(event: TurnEvent): void {
    clearTimeout(this.silenceTimer);
    if (event.type === 'speech-start') {
      if (this.playback.busy && !this.playback.isPaused) {
        this.playback.pause();
        this.pendingBargeIn = { onsetMs: event.onsetMs };
        const latency = this.streamNow() - event.onsetMs;
        this.metrics.bargeInMs.push(latency);
        this.o.log.info({ event: 'call.barge_in', latencyMs: Math.round(latency) }, 'caller spoke over the agent');
      }
      return;
    }
    // Utterances are handled one after another, while the VAD keeps listening.
    this.utterances = this.utterances.then(() => this.onUtterance(event)).catch((error) => {
      this.o.log.error({ err: error, event: 'call.turn_failed' }, 'caller turn failed');
    });
  }

  private async onUtterance(event: Extract<TurnEvent, { type: 'speech-end' }>): Promise<void> {
    const bargeIn = this.pendingBargeIn;
    this.pendingBargeIn = undefined;
    const durationMs = event.endMs - event.onsetMs;
    if (bargeIn && durationMs < this.o.turn.bargeInMinSpeechMs) return this.resumeAfterFalseStart('too short', durationMs);

    this.armHoldOn(event.endMs);
    const sttStarted = performance.now();
    let text: string;
    try {
      ({ text } = await this.o.stt.transcribe(resample(event.audio, 8000, 16000), { signal: this.callController.signal }));
    } catch (error) {
      if (this.callController.signal.aborted) return;
      // Unheard is not silence: a paused agent carries on rather than waiting forever.
      this.o.log.warn({ err: error, event: 'call.stt_failed' }, 'speech-to-text failed for an utterance');
      if (bargeIn) return this.disarmHoldOn(), this.resumeAfterFalseStart('not transcribed', durationMs);
      // The caller spoke and expects an answer: silence here would sound like a dropped call.
      this.speak(this.scripted([{ type: 'say', text: DID_NOT_CATCH }]), { cacheable: true });
      return;
    }
    const sttMs = performance.now() - sttStarted;
    if (this.callController.signal.aborted) return;
    if (bargeIn && isBackchannel(text)) return this.disarmHoldOn(), this.resumeAfterFalseStart('backchannel', durationMs, text);
    if (!text.trim()) {
      this.disarmHoldOn();
      this.armSilenceTimer();
      return;
    }

    this.interruptAgent();
    this.checkIns = 0;
    this.history.push({ speaker: 'caller', text });
    this.o.recorder.turn('caller', text, { startMs: Math.round(event.onsetMs), endMs: Math.round(event.endMs) });
    const latency: TurnLatency = { endpointingMs: Math.round(event.detectedAtMs - event.endMs), sttMs: Math.round(sttMs) };
    this.speak((signal) => this.o.brain.respond(text, this.brainContext(), signal), { latency, speechEndStreamMs: event.endMs });
  }

  private resumeAfterFalseStart(why: string, durationMs: number, transcript?: string): void {
    this.metrics.falseBargeIns++;
    this.o.log.info({ event: 'call.false_barge_in', why, durationMs: Math.round(durationMs), words: transcript?.split(/\s+/).length ?? 0 }, 'not a turn; agent resumes');
    // A paused "One moment." (said outside any agent turn) resumes too.
    if (this.agentTurn || this.playback.isPaused) this.playback.resume();
    if (!this.agentTurn) this.armSilenceTimer();
  }

  /**
   * Starts an agent turn (ending any current one). Its signal aborts on a barge-in or when the
   * call ends; everything downstream (brain, TTS, playback) stops on it.
   */
  private speak(
    makeActions: (signal: AbortSignal) => AsyncIterable<BrainAction>,
    options: { cacheable?: boolean; latency?: TurnLatency; speechEndStreamMs?: number } = {},
  ): void {
    this.interruptAgent();
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, this.callController.signal]);
    const latency = options.latency ?? {};
    const turn: AgentTurn = { controller, latency };
    this.agentTurn = turn;
    const actions = makeActions(signal);
    const started = performance.now();
    void (async () => {
      const said: string[] = [];
      let action: BrainAction | undefined;
      let firstSay = true;
      for await (const next of actions) {
        if (signal.aborted) break;
        if (next.type === 'sources') continue;
        if (next.type === 'tool') {
          this.o.recorder.turn('system', `tool ${next.name}: ${next.summary}`, { startMs: Math.round(this.streamNow()) });
          continue;
        }
        if (next.type !== 'say') {
          action = next;
          continue;
        }
        if (firstSay) latency.llmFirstTokenMs = Math.round(performance.now() - started);
        const ttsStarted = performance.now();
        await this.speaker.say(next.text, signal, {
          cacheable: options.cacheable,
          onFirstAudio: firstSay
            ? () => {
                this.disarmHoldOn();
                turn.startMs = Math.round(this.streamNow());
                latency.ttsFirstAudioMs = Math.round(performance.now() - ttsStarted);
                if (options.speechEndStreamMs !== undefined) latency.responseMs = Math.round(this.streamNow() - options.speechEndStreamMs);
              }
            : undefined,
        });
        firstSay = false;
        said.push(next.text);
      }
      await this.playback.whenIdle();
      if (signal.aborted) return;
      this.playback.forgetHeard();
      if (this.agentTurn === turn) this.agentTurn = undefined;
      const text = said.join(' ');
      this.history.push({ speaker: 'agent', text });
      this.recordAgentTurn(text, false, latency, turn.startMs);
      if (action?.type === 'transfer') await this.transfer();
      else if (action?.type === 'hang-up') await this.hangUp(this.endReason ?? 'agent_ended');
      else this.armSilenceTimer();
    })().catch((error) => {
      this.o.log.error({ err: error, event: 'call.speak_failed' }, 'agent turn failed');
      // The call goes on: the caller can still talk, and the silence check-in still comes.
      if (this.agentTurn === turn) {
        this.agentTurn = undefined;
        this.armSilenceTimer();
      }
    });
  }

  /** A real barge-in: one abort, and the transcript keeps only what the caller heard. */
  private interruptAgent(): void {
    const turn = this.agentTurn;
    if (!turn) {
      // Only a "One moment." can be playing outside a turn; the caller spoke over it, so it goes.
      if (this.playback.busy) this.playback.stop();
      return;
    }
    this.agentTurn = undefined;
    turn.controller.abort();
    const { heardText, interrupted } = this.playback.stop();
    if (heardText || interrupted) {
      this.history.push({ speaker: 'agent', text: heardText });
      this.recordAgentTurn(heardText, interrupted, turn.latency, turn.startMs);
    }
  }

  private recordAgentTurn(text: string, interrupted: boolean, latency: TurnLatency, startMs?: number): void {
    this.o.recorder.turn('agent', text, { interrupted, ...latency, startMs, endMs: Math.round(this.streamNow()) });
  }

  /**
   * The caller has finished and waits: if no answer is audible `holdOnAfterMs` after their speech
   * ended (a slow or hung STT, LLM or TTS, before the chains' fallbacks kick in), say "One moment."
   * so the line never sounds dead. The phrase is prefetched, so it plays at once.
   */
  private armHoldOn(speechEndStreamMs: number): void {
    this.disarmHoldOn();
    const delay = Math.max(0, speechEndStreamMs + (this.o.holdOnAfterMs ?? 1700) - this.streamNow());
    this.holdOnTimer = setTimeout(() => {
      this.holdOnTimer = undefined;
      if (this.callController.signal.aborted || this.ending || this.detector.isSpeaking) return;
      this.o.log.info({ event: 'call.hold_on' }, 'answer is slow; asking the caller to hold on');
      this.o.recorder.turn('agent', HOLD_ON, { startMs: Math.round(this.streamNow()) });
      void this.speaker.say(HOLD_ON, this.callController.signal, { cacheable: true, aside: true }).catch(() => undefined);
    }, delay);
  }

  private disarmHoldOn(): void {
    clearTimeout(this.holdOnTimer);
    this.holdOnTimer = undefined;
  }

  private armSilenceTimer(): void {
    clearTimeout(this.silenceTimer);
    if (this.callController.signal.aborted || this.ending) return;
    this.silenceTimer = setTimeout(() => {
      if (this.detector.isSpeaking || this.agentTurn) return;
      this.checkIns++;
      if (this.checkIns === 1) this.speak(this.scripted([{ type: 'say', text: 'Are you still there?' }]), { cacheable: true });
      else void this.endCall('silence', "It seems we've lost each other. Goodbye!");
    }, this.o.silenceTimeoutMs);
  }

  private async endCall(reason: string, farewell: string): Promise<void> {
    if (this.ending || this.callController.signal.aborted) return;
    this.endReason = reason;
    this.interruptAgent();
    this.speak(this.scripted([{ type: 'say', text: farewell }, { type: 'hang-up', reason }]), { cacheable: true });
  }

  private async transfer(): Promise<void> {
    const number = this.o.context.agent.transferNumber;
    if (!number) return;
    this.o.recorder.update({ endReason: 'transferred' });
    this.ending = true;
    await this.o.controls.transfer(number).catch((error) => this.o.log.error({ err: error, event: 'call.transfer_failed' }, 'transfer failed'));
  }

  private async hangUp(reason: string): Promise<void> {
    this.o.recorder.update({ endReason: reason });
    this.ending = true;
    await this.o.controls.hangUp().catch((error) => this.o.log.error({ err: error, event: 'call.hang_up_failed' }, 'hang-up failed'));
  }

  private scripted(actions: BrainAction[]): () => AsyncIterable<BrainAction> {
    return async function* () {
      yield* actions;
    };
  }

  private brainContext(): BrainContext {
    return { ...this.o.context, history: this.history };
  }
}
