/**
 * The call's audio link as the session sees it: Twilio Media Streams, or the browser web phone
 * speaking the same protocol. Outbound audio is 8 kHz mu-law in 20 ms (160-byte) frames.
 */
export interface MediaChannel {
  sendAudio(frame: Uint8Array): void;
  /** Twilio echoes a mark once the audio sent before it has been played. */
  sendMark(name: string): void;
  /** Drops audio buffered at the far end; pending marks come back at once. */
  sendClear(): void;
}

export const FRAME_MS = 20;
export const FRAME_BYTES = 160;
