/**
 * Frames of fixed phrases (greetings, check-ins, goodbyes) by engine, voice and text, so the
 * greeting starts at once instead of being synthesized on every call. Least recently used goes.
 */
export class PhraseCache {
  private readonly entries = new Map<string, Uint8Array[]>();

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
