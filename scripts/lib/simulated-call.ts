import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import WebSocket from 'ws';
import { pcmToMulaw } from '../../src/voice/audio/mulaw.js';

/**
 * A Twilio caller, played against a running server the way Twilio does it: a signed voice
 * webhook, then a Media Streams socket (signed upgrade, `connected`, `start` with the TwiML's
 * parameters, string-typed fields), caller audio paced at 20 ms, and Twilio-like playback of
 * the agent's audio: played at real time, marks echoed only once the audio before them has
 * been played, everything buffered dropped (and pending marks echoed) on `clear`.
 */
export interface SimulatedCallOptions {
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  serverUrl: string;
  /** The server's PUBLIC_URL: Twilio signs the URLs it calls, which are public ones. */
  publicUrl: string;
  accountSid: string;
  authToken: string;
  to: string;
  from?: string;
  callSid?: string;
  /** More webhook form fields (a Voice SDK client's `device.connect` params arrive this way). */
  params?: Record<string, string>;
}

type Buffered = { kind: 'audio'; frame: Buffer } | { kind: 'mark'; name: string };

const SILENCE = Buffer.alloc(160, 0xff);

export class SimulatedCall {
  readonly callSid: string;
  readonly streamSid = 'MZ' + randomBytes(16).toString('hex');
  twiml = '';
  parameters: Record<string, string> = {};
  ws?: WebSocket;
  /** Stream time (ms since start) of events seen from the server. */
  readonly log: { type: 'audio-start' | 'mark' | 'clear' | 'close'; atMs: number; name?: string }[] = [];
  readonly arrivals: number[] = [];
  /** ms between consecutive agent frames of one segment (no mark or clear between them). */
  readonly gaps: number[] = [];
  readonly played: Buffer[] = [];
  /** Stream time when each `say()` starts and stops being sent: the clock the server's VAD sees. */
  readonly said: { startMs: number; endMs: number }[] = [];
  /** Frames dropped unplayed by a clear (barge-in): sent by the server, never heard. */
  cleared = 0;
  underruns = 0;
  /** Stream time of each underrun. */
  readonly underrunsAt: number[] = [];
  /** How late this simulator's own 20 ms ticks ran (a busy machine delays the caller too). */
  readonly tickLag = { late: 0, maxMs: 0 };
  closeCode?: number;
  readonly closed: Promise<void>;
  private closedResolve!: () => void;
  private buffer: Buffered[] = [];
  private outgoing: Buffer[] = [];
  private t0 = 0;
  private chunk = 0;
  private tick = 0; // index of the next caller frame; its timestamp is tick × 20 ms
  private lastMediaAt?: number; // arrival of the previous agent frame, while in a segment
  private ticker?: NodeJS.Timeout;
  private speaking = false;

  private constructor(private readonly o: SimulatedCallOptions) {
    this.callSid = o.callSid ?? 'CA' + randomBytes(16).toString('hex');
    this.closed = new Promise((resolve) => (this.closedResolve = resolve));
  }

  /** POSTs the signed voice webhook; returns the call with the TwiML answer (not yet connected). */
  static async ring(options: SimulatedCallOptions): Promise<SimulatedCall> {
    const call = new SimulatedCall(options);
    const params = { AccountSid: options.accountSid, CallSid: call.callSid, From: options.from ?? '+15005550006', To: options.to, CallStatus: 'ringing', Direction: 'inbound', ...options.params };
    const signature = twilio.getExpectedTwilioSignature(options.authToken, `${options.publicUrl}/twilio/voice`, params);
    const res = await fetch(`${options.serverUrl}/twilio/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    if (res.status !== 200) throw new Error(`voice webhook answered ${res.status}: ${await res.text()}`);
    call.twiml = await res.text();
    for (const m of call.twiml.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g)) call.parameters[m[1]!] = m[2]!;
    return call;
  }

  /** Ring, connect the media socket and send `connected` and `start`. */
  static async dial(options: SimulatedCallOptions): Promise<SimulatedCall> {
    const call = await SimulatedCall.ring(options);
    await call.connect();
    return call;
  }

  get streamUrl(): string | undefined {
    return /<Stream url="([^"]+)"/.exec(this.twiml)?.[1];
  }

  async connect(parameters = this.parameters): Promise<void> {
    const publicStreamUrl = this.streamUrl ?? `${this.o.publicUrl.replace(/^http/, 'ws')}/twilio/media`;
    const signature = twilio.getExpectedTwilioSignature(this.o.authToken, publicStreamUrl, {});
    const local = publicStreamUrl.replace(this.o.publicUrl.replace(/^http/, 'ws'), this.o.serverUrl.replace(/^http/, 'ws'));
    const ws = new WebSocket(local, { headers: { 'x-twilio-signature': signature } });
    this.ws = ws;
    ws.on('close', (code) => {
      this.closeCode = code;
      this.log.push({ type: 'close', atMs: this.now() });
      clearInterval(this.ticker);
      this.closedResolve();
    });
    ws.on('message', (data) => this.onServerMessage(String(data)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: '1',
      start: {
        accountSid: this.o.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: parameters,
      },
      streamSid: this.streamSid,
    });
    this.t0 = performance.now();
    this.startTicker();
  }

  /** Stream time: ms since `start`, the clock Twilio's timestamps count. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** Queues caller audio (8 kHz PCM16); frames go out at real time in place of silence. */
  say(pcm8k: Int16Array): Promise<void> {
    const mulaw = Buffer.from(pcmToMulaw(pcm8k));
    const startMs = (this.tick + this.outgoing.length) * 20;
    this.said.push({ startMs, endMs: startMs + Math.ceil(mulaw.length / 160) * 20 });
    for (let i = 0; i < mulaw.length; i += 160) {
      const frame = Buffer.alloc(160, 0xff);
      mulaw.copy(frame, 0, i, Math.min(i + 160, mulaw.length));
      this.outgoing.push(frame);
    }
    // Settles once sent, or once the call is over (a hung-up call sends nothing more).
    return this.waitFor(() => this.outgoing.length === 0 || this.closeCode !== undefined, mulaw.length / 8 + 5000);
  }

  dtmf(digit: string): void {
    this.send({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: String(++this.chunk), dtmf: { track: 'inbound_track', digit } });
  }

  sendRaw(data: string | Buffer): void {
    this.ws?.send(data);
  }

  hangUp(): void {
    this.send({ event: 'stop', sequenceNumber: String(++this.chunk), streamSid: this.streamSid, stop: { accountSid: this.o.accountSid, callSid: this.callSid } });
    this.ws?.close();
  }

  /** The agent is audible right now (audio buffered or playing). */
  get agentAudible(): boolean {
    return this.buffer.some((b) => b.kind === 'audio');
  }

  count(type: 'audio-start' | 'mark' | 'clear'): number {
    return this.log.filter((e) => e.type === type).length;
  }

  /** `WAIT_TIMEOUT_SCALE` stretches every timeout (the test suite sets it: a shared CI machine can be slow for minutes). */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs * waitTimeoutScale();
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error('timed out waiting for the call');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private send(message: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private onServerMessage(text: string): void {
    const message = JSON.parse(text) as { event: string; media?: { payload: string }; mark?: { name: string } };
    if (message.event === 'media' && message.media) {
      if (!this.speaking) this.log.push({ type: 'audio-start', atMs: this.now() });
      this.speaking = true;
      const at = performance.now();
      if (this.lastMediaAt !== undefined) this.gaps.push(at - this.lastMediaAt);
      this.lastMediaAt = at;
      this.arrivals.push(at);
      this.buffer.push({ kind: 'audio', frame: Buffer.from(message.media.payload, 'base64') });
    } else if (message.event === 'mark' && message.mark) {
      this.lastMediaAt = undefined;
      this.buffer.push({ kind: 'mark', name: message.mark.name });
    } else if (message.event === 'clear') {
      this.log.push({ type: 'clear', atMs: this.now() });
      this.lastMediaAt = undefined;
      this.cleared += this.buffer.filter((b) => b.kind === 'audio').length;
      for (const item of this.buffer) if (item.kind === 'mark') this.echoMark(item.name);
      this.buffer = [];
      this.speaking = false;
    }
  }

  private echoMark(name: string): void {
    this.speaking = false; // a mark ends a segment: a pause after it is not a late frame
    this.log.push({ type: 'mark', atMs: this.now(), name });
    this.send({ event: 'mark', sequenceNumber: String(++this.chunk), streamSid: this.streamSid, mark: { name } });
  }

  /** Every 20 ms on a drift-free clock: send one caller frame, play one agent frame. */
  private startTicker(): void {
    const step = () => {
      const tick = this.tick;
      const lag = performance.now() - (this.t0 + tick * 20);
      if (lag > 20) this.tickLag.late++;
      this.tickLag.maxMs = Math.max(this.tickLag.maxMs, lag);
      const payload = this.outgoing.shift() ?? SILENCE;
      const n = ++this.chunk;
      this.send({ event: 'media', sequenceNumber: String(n), media: { track: 'inbound', chunk: String(tick + 1), timestamp: String(tick * 20), payload: payload.toString('base64') }, streamSid: this.streamSid });
      this.playOneFrame();
      this.tick = tick + 1;
      this.ticker = setTimeout(step, Math.max(0, this.t0 + this.tick * 20 - performance.now()));
    };
    step();
  }

  private playOneFrame(): void {
    this.echoLeadingMarks();
    const next = this.buffer.shift();
    if (next?.kind === 'audio') this.played.push(next.frame);
    else if (this.speaking) (this.underruns++, this.underrunsAt.push(this.now())); // mid-segment with nothing to play: a late frame
    this.echoLeadingMarks();
  }

  private echoLeadingMarks(): void {
    for (let head = this.buffer[0]; head?.kind === 'mark'; head = this.buffer[0]) {
      this.buffer.shift();
      this.echoMark(head.name);
    }
  }
}

/** How much longer than asked a wait may take before it fails (1 unless WAIT_TIMEOUT_SCALE says otherwise). */
export function waitTimeoutScale(): number {
  const scale = Number(process.env.WAIT_TIMEOUT_SCALE);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}
