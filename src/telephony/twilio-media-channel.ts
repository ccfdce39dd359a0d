import type { WebSocket } from 'ws';
import type { MediaChannel } from '../voice/session/media-channel.js';

/** Outbound Media Streams messages: `media` (base64 mu-law), `mark` and `clear`. */
export class TwilioMediaChannel implements MediaChannel {
  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
  ) {}

  sendAudio(frame: Uint8Array): void {
    this.send({ event: 'media', streamSid: this.streamSid, media: { payload: Buffer.from(frame).toString('base64') } });
  }

  sendMark(name: string): void {
    this.send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  sendClear(): void {
    this.send({ event: 'clear', streamSid: this.streamSid });
  }

  private send(message: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }
}
