import twilio from 'twilio';
import type { WebSocket } from 'ws';
import type { Logger } from '../observability/logger.js';
import type { CallControls } from '../voice/session/call-session.js';
import type { TwilioRest } from './twilio-rest.js';

/** Transfer and hang-up of a live call through Twilio's REST API. */
export class TwilioCallControls implements CallControls {
  constructor(
    private readonly rest: TwilioRest | undefined,
    private readonly callSid: string,
    private readonly ws: WebSocket,
    private readonly log: Logger,
  ) {}

  async transfer(number: string): Promise<void> {
    if (!this.rest) throw new Error('cannot transfer: Twilio REST API is not configured');
    const response = new twilio.twiml.VoiceResponse();
    response.dial(number);
    await this.rest.redirectCall(this.callSid, response.toString());
    this.log.info({ event: 'call.transferred' }, 'call transferred');
  }

  async hangUp(): Promise<void> {
    try {
      if (this.rest) await this.rest.hangUp(this.callSid);
    } finally {
      // Twilio closes the stream itself when the call ends; close our side regardless.
      this.ws.close(1000, 'hang-up');
    }
  }
}
