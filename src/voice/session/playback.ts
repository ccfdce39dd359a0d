import { FRAME_MS, type MediaChannel } from './media-channel.js';

/** A piece of speech (one sentence, usually) whose frames arrive while it is being synthesized. */
export interface Segment {
  readonly id: number;
  readonly text: string;
  frames: Uint8Array[];
  complete: boolean;
  /** Frames handed to the channel (rewound on clear to what the caller actually heard). */
  sent: number;
  markName?: string;
  /** The far end echoed our mark: the caller heard all of it. */
  heard: boolean;
  /**
   * Said outside the agent's answer ("One moment."): recorded as its own turn, so it is left out
   * of the heard text of the answer it is queued beside.
   */
  readonly aside: boolean;
}

export interface PacingStats {
  framesSent: number;
  /**
   * Times the far end ran dry in the middle of a segment (our next frame left after the last
   * buffered one had finished playing): the caller heard a gap.
   */
  underruns: number;
}

/**
 * Paces agent audio to the far end at real time on a drift-free clock: frame n of a run is due at
 * runStart + n·20 ms − lead, so at most `leadMs` is ever buffered there. Because so little is
 * buffered, a clear really stops the agent, and the played position is known to within a frame.
 */
export class Playback {
  private segments: Segment[] = [];
  private nextId = 1;
  private runStart = 0;
  private runFrames = 0;
  private paused = false;
  private pumping = false;
  private wake?: () => void;
  private readonly clearedMarks = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  readonly stats: PacingStats = { framesSent: 0, underruns: 0 };

  constructor(
    private readonly channel: MediaChannel,
    private readonly leadMs = 80,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts a segment; frames are appended as synthesis produces them. */
  open(text: string, options: { aside?: boolean } = {}): Segment {
    const segment: Segment = { id: this.nextId++, text, frames: [], complete: false, sent: 0, heard: false, aside: options.aside ?? false };
    this.segments.push(segment);
    return segment;
  }

  append(segment: Segment, frames: Uint8Array[]): void {
    segment.frames.push(...frames);
    this.kick();
  }

  finish(segment: Segment): void {
    segment.complete = true;
    this.kick();
  }

  /** True while anything queued has not yet been heard. */
  get busy(): boolean {
    return this.segments.some((s) => !s.heard);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  onMark(name: string): void {
    if (this.clearedMarks.delete(name)) return; // echoed by a clear, not by playback
    const segment = this.segments.find((s) => s.markName === name);
    if (segment) segment.heard = true;
    this.settleIdle();
  }

  /** Resolves once everything queued so far has been played (or dropped). */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Barge-in suspected: clear the far end at once and keep our place. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.clearAndRewind();
  }

  /** It was nothing (a cough, an "uh-huh"): pick up where the caller stopped hearing, a little before. */
  resume(backupMs = 300): void {
    if (!this.paused) return;
    this.paused = false;
    const current = this.segments.find((s) => !s.heard && s.sent < s.frames.length);
    if (current) current.sent = Math.max(0, current.sent - Math.round(backupMs / FRAME_MS));
    this.runFrames = 0;
    this.kick();
  }

  /**
   * Ends the agent's speech for good (a real barge-in, or the turn was aborted) and returns the
   * text the caller actually heard: whole segments whose marks came back, and the played part of
   * the one that was cut.
   */
  stop(): { heardText: string; interrupted: boolean } {
    if (!this.paused) this.clearAndRewind();
    this.paused = false;
    const parts: string[] = [];
    let interrupted = false;
    for (const s of this.segments) {
      if (s.aside) continue;
      if (s.heard) {
        parts.push(s.text);
        continue;
      }
      interrupted = true;
      if (s.sent > 0 && s.frames.length > 0) {
        const words = s.text.split(/\s+/).filter(Boolean);
        const heardWords = Math.floor((words.length * s.sent) / s.frames.length);
        if (heardWords > 0) parts.push(words.slice(0, heardWords).join(' ') + '…');
      }
      break;
    }
    this.segments = [];
    this.runFrames = 0;
    this.settleIdle();
    return { heardText: parts.join(' '), interrupted };
  }

  /** Forget segments fully heard (their text is already in the transcript). */
  forgetHeard(): void {
    while (this.segments[0]?.heard) this.segments.shift();
  }

  private clearAndRewind(): void {
    this.channel.sendClear();
    const now = this.now();
    let unplayed = Math.max(0, Math.ceil((this.runStart + this.runFrames * FRAME_MS - now) / FRAME_MS));
    for (const s of this.segments) {
      if (s.markName && !s.heard) this.clearedMarks.add(s.markName);
      if (!s.heard) s.markName = undefined;
    }
    for (let i = this.segments.length - 1; i >= 0 && unplayed > 0; i--) {
      const s = this.segments[i]!;
      const back = Math.min(unplayed, s.sent);
      s.sent -= back;
      unplayed -= back;
    }
    this.runFrames = 0;
  }

  private kick(): void {
    if (this.wake) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
    if (!this.pumping && !this.paused) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.paused) {
        const segment = this.segments.find((s) => !s.heard && (s.sent < s.frames.length || !s.markName));
        if (!segment) break;
        if (segment.sent < segment.frames.length) {
          const now = this.now();
          const bufferedUntil = this.runStart + this.runFrames * FRAME_MS;
          if (this.runFrames === 0 || bufferedUntil < now) {
            // Mid-segment, an empty far-end buffer means the caller heard a gap.
            if (this.runFrames > 0 && segment.sent > 0) this.stats.underruns++;
            // A new run: the far end has nothing buffered, so playback starts now.
            this.runStart = Math.max(now, bufferedUntil);
            this.runFrames = 0;
          }
          const due = this.runStart + this.runFrames * FRAME_MS - this.leadMs;
          if (due > now) {
            await sleep(due - now);
            continue;
          }
          this.channel.sendAudio(segment.frames[segment.sent++]!);
          this.stats.framesSent++;
          this.runFrames++;
        } else if (segment.complete) {
          segment.markName = `seg-${segment.id}-${this.stats.framesSent}`;
          this.channel.sendMark(segment.markName);
        } else {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private settleIdle(): void {
    if (this.busy) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
