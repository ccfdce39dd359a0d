/**
 * Frames of spoken sentences (greetings, check-ins, answers an agent gives again and again) by
 * engine, voice and text, so they start at once instead of being synthesized on every call. Least
 * recently used goes (a 3 s sentence is ~24 KB: 1024 entries stay under ~25 MB).
 */
export class PhraseCache {
  private readonly entries = new Map<string, Uint8Array[]>();
  /** Phrases being synthesized right now: ten callers at once share one synthesis. */
  private readonly inFlight = new Map<string, Promise<Uint8Array[] | undefined>>();

  pending(key: string): Promise<Uint8Array[] | undefined> | undefined {
    return this.inFlight.get(key);
  }

  /** Marks `key` as being synthesized; call the returned function with the frames (or undefined). */
  begin(key: string): (frames: Uint8Array[] | undefined) => void {
    let settle!: (frames: Uint8Array[] | undefined) => void;
    this.inFlight.set(key, new Promise((resolve) => (settle = resolve)));
    return (frames) => {
      this.inFlight.delete(key);
      if (frames?.length) this.set(key, frames);
      settle(frames);
    };
  }

  constructor(private readonly maxEntries = 256) {}

  get(key: string): Uint8Array[] | undefined {
    const frames = this.entries.get(key);
    if (frames) {
      this.entries.delete(key);
      this.entries.set(key, frames);
    }
    return frames;
  }

  set(key: string, frames: Uint8Array[]): void {
    this.entries.delete(key);
    this.entries.set(key, frames);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
