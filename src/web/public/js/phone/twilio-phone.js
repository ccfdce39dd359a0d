/**
 * "Call through Twilio": a real Twilio call from this browser to one agent, with
 * @twilio/voice-sdk. The server gives a short-lived Access Token whose identity may reach only
 * this agent (`POST /api/agents/:id/voice-token`); Twilio then asks the server's voice webhook what
 * to do with the call and streams it to the agent exactly like a phone call. Audio is WebRTC
 * between this browser and Twilio; the page never touches it.
 *
 * The SDK's browser bundle is served by the dashboard itself (`/app/vendor/twilio.min.js`: the
 * CSP allows scripts from this origin only) and loaded on the first call, not with the page.
 * Same surface as WebPhone (state/mute/call/ended events, setMuted, hangUp) so the talk page
 * drives both the same way.
 */
import { api } from '../api.js';

const SDK_URL = new URL('../../vendor/twilio.min.js', import.meta.url).href;
const CONNECT_TIMEOUT_MS = 20_000;
let sdkLoading;

/** Loads the SDK's classic-script bundle once; resolves to `Twilio.Device`. */
export function loadTwilioSdk() {
  if (globalThis.Twilio?.Device) return Promise.resolve(globalThis.Twilio.Device);
  sdkLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = SDK_URL;
    script.async = true;
    script.addEventListener('load', () =>
      globalThis.Twilio?.Device ? resolve(globalThis.Twilio.Device) : reject(new Error('The Twilio Voice SDK did not load.')),
    );
    script.addEventListener('error', () => {
      sdkLoading = undefined;
      script.remove();
      reject(new Error('The Twilio Voice SDK could not be loaded from this server.'));
    });
    document.head.append(script);
  });
  return sdkLoading;
}

/** The SDK's errors (TwilioError: code, description, explanation) in one sentence; others as they are. */
function readable(error) {
  if (typeof error?.code !== 'number' || !(error.explanation || error.description)) return error;
  return new Error(`Could not call through Twilio (error ${error.code}): ${error.explanation || error.description}`);
}

export class TwilioPhone extends EventTarget {
  /** @param {{agentId: string}} options */
  constructor(options) {
    super();
    this.agentId = options.agentId;
    this.state = 'idle'; // idle → starting → live → ended
    this.muted = false;
    this.engine = 'twilio';
    this.callId = undefined; // this server's id for the call, found by its Twilio CallSid once answered
    this.callSid = undefined;
    this.stats = { sent: 0, received: 0, playedMs: 0, marks: 0, level: 0 };
  }

  async start() {
    if (this.state !== 'idle') return;
    this.setState('starting');
    try {
      const Device = await loadTwilioSdk();
      const { token } = await api('POST', `/agents/${encodeURIComponent(this.agentId)}/voice-token`);
      this.device = new Device(token, { closeProtection: false, logLevel: 'error', codecPreferences: ['opus', 'pcmu'] });
      let refused;
      const failed = new Promise((_resolve, reject) => (refused = reject));
      this.device.on('error', (error) => (this.state === 'starting' ? refused(error) : this.fail(error)));
      let timer;
      const timeout = new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('Twilio could not be reached. Check this computer’s connection and try again.')), CONNECT_TIMEOUT_MS);
      });
      // The server routes by the token's identity; agentId is checked against it, never followed.
      this.call = await Promise.race([this.device.connect({ params: { agentId: this.agentId } }), failed, timeout]).finally(() => clearTimeout(timer));
      this.call.on('accept', () => this.onAccept());
      this.call.on('volume', (input) => (this.stats.level = input));
      this.call.on('mute', (muted) => {
        this.muted = muted;
        this.emit('mute', { muted });
      });
      this.call.on('disconnect', () => this.finish({}));
      this.call.on('cancel', () => this.finish({}));
      this.call.on('reject', () => this.finish({}));
      this.call.on('error', (error) => this.fail(error));
    } catch (error) {
      this.cleanup();
      this.setState('ended');
      throw readable(error);
    }
  }

  async onAccept() {
    this.setState('live');
    this.callSid = this.call?.parameters?.CallSid;
    if (!this.callSid) return;
    // The call row is written by the voice webhook before Twilio answers; find it by its SID.
    try {
      const { calls } = await api('GET', `/calls?agentId=${encodeURIComponent(this.agentId)}`);
      const ours = calls.find((c) => c.twilioCallSid === this.callSid);
      if (ours) {
        this.callId = ours.id;
        this.emit('call', { callId: ours.id });
      }
    } catch {
      /* the transcript just stays empty */
    }
  }

  setMuted(muted) {
    if (!this.call) return;
    this.call.mute(muted); // the SDK's 'mute' event updates this.muted and the page
  }

  hangUp() {
    if (this.call) this.call.disconnect();
    else this.finish({});
  }

  fail(error) {
    this.finish({ error: readable(error).message });
  }

  finish(detail) {
    if (this.state === 'ended') return;
    const wasLive = this.state === 'live';
    this.cleanup();
    this.setState('ended');
    this.emit('ended', { ...detail, wasLive });
  }

  cleanup() {
    const device = this.device;
    this.device = undefined;
    this.call = undefined;
    try {
      device?.destroy();
    } catch {
      /* already torn down */
    }
  }

  setState(state) {
    this.state = state;
    this.emit('state', { state });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
