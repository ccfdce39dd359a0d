import { mulawToPcm } from '../audio/mulaw.js';
import type { VadWindow } from '../turn/turn-detector.js';
import { VAD_SAMPLE_RATE, VAD_WINDOW_SAMPLES, type SileroVad } from '../vad/silero-vad.js';

/** Caller audio as Twilio sends it: mu-law bytes and the stream timestamp of the first sample. */
export interface InboundFrame {
  mulaw: Uint8Array;
  timestampMs: number;
}

/**
 * Frames in → VAD windows out. Twilio's 20 ms frames are re-cut into Silero's 32 ms windows;
 * each window carries its stream-time start and speech probability.
 */
export async function* vadWindows(frames: AsyncIterable<InboundFrame>, vad: SileroVad): AsyncIterable<VadWindow> {
  const state = vad.newState();
  let pending = new Int16Array(0);
  let pendingStartMs = 0;
  for await (const frame of frames) {
    const pcm = mulawToPcm(frame.mulaw);
    if (pending.length === 0) pendingStartMs = frame.timestampMs;
    const joined = new Int16Array(pending.length + pcm.length);
    joined.set(pending);
    joined.set(pcm, pending.length);
    let offset = 0;
    while (joined.length - offset >= VAD_WINDOW_SAMPLES) {
      const pcmWindow = joined.slice(offset, offset + VAD_WINDOW_SAMPLES);
      const floats = new Float32Array(VAD_WINDOW_SAMPLES);
      for (let i = 0; i < VAD_WINDOW_SAMPLES; i++) floats[i] = pcmWindow[i]! / 32768;
      const startMs = pendingStartMs + (offset * 1000) / VAD_SAMPLE_RATE;
      yield { pcm: pcmWindow, startMs, probability: await vad.probability(floats, state) };
      offset += VAD_WINDOW_SAMPLES;
    }
    pending = joined.slice(offset);
    pendingStartMs += (offset * 1000) / VAD_SAMPLE_RATE;
  }
}
