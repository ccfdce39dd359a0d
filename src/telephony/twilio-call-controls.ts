import twilio from 'twilio';
import type { WebSocket } from 'ws';
import type { Logger } from '../observability/logger.js';
import type { CallControls } from '../voice/session/call-session.js';
import type { TwilioRest } from './twilio-rest.js';

/**
 * Where the call came from decides the caller ID of a transfer: a phone call passes on the
 * caller's own number (Twilio's default), but a call placed from the dashboard with the Voice SDK
 * has no number, and Twilio fails a <Dial> from a client without a `callerId` it owns, so the
 * agent's own phone number is shown.
 */
export type TransferCallerId = { kind: 'caller' } | { kind: 'agent-number'; number: string | undefined };

/** Transfer and hang-up of a live call through Twilio's REST API. */
export class TwilioCallControls implements CallControls {
  constructor(
    private readonly rest: TwilioRest | undefined,
    private readonly callSid: string,
    private readonly ws: WebSocket,
    private readonly log: Logger,
    private readonly callerId: TransferCallerId = { kind: 'caller' },
  ) {}

  async transfer(number: string): Promise<void> {
    if (!this.rest) throw new Error('cannot transfer: Twilio REST API is not configured');
    const response = new twilio.twiml.VoiceResponse();
    if (this.callerId.kind === 'agent-number') {
      if (!this.callerId.number) throw new Error('cannot transfer a call placed from the browser: the agent has no phone number to show as caller ID');
      response.dial({ callerId: this.callerId.number }, number);
    } else {
      response.dial(number);
    }
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
