/**
 * "Talk to your agent": a browser call to one agent over the server's web-call socket, in the
 * Twilio Media Streams protocol. The microphone goes through an AudioWorklet (a ScriptProcessor
 * where worklets are missing) to 8 kHz mu-law in 20 ms frames; the agent's frames are played
 * through Web Audio, each mark is echoed once the audio before it has played, and `clear` drops
 * whatever is still queued (barge-in). Muting sends silence, as a phone's mute button does.
 */
import { api } from '../api.js';
import { AgentPlayer, MicEncoder, fromBase64, toBase64 } from './dsp.js';

/** The server closes a web call with this code when the agent would transfer it. */
export const CLOSE_TRANSFER = 4001;

const randomHex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

export class WebPhone extends EventTarget {
  /** @param {{agentId: string, engine?: 'worklet' | 'script'}} options */
  constructor(options) {
    super();
    this.agentId = options.agentId;
    this.engineWanted = options.engine ?? 'worklet';
    this.state = 'idle'; // idle → starting → live → ended
    this.muted = false;
    this.stats = { sent: 0, received: 0, playedMs: 0, marks: 0, clears: 0, underruns: 0, level: 0 };
    this.callId = undefined;
    this.engine = undefined;
    this.seq = 0;
    this.chunk = 0;
    this.streamSid = 'MZ' + randomHex(16);
  }

  async start() {
    if (this.state !== 'idle') return;
    this.setState('starting');
    try {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw new Error('This browser cannot use the microphone on this page (it needs https:// or localhost).');
      }
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
      this.ctx = new AudioContext({ latencyHint: 'interactive' });
      await this.ctx.resume();
      await this.buildAudioGraph();
      const call = await api('POST', `/agents/${encodeURIComponent(this.agentId)}/web-call`);
      this.callId = call.callId;
      this.emit('call', { callId: call.callId });
      await this.connect(call.url, call.callId, call.token);
    } catch (error) {
      this.cleanup();
      this.setState('ended');
      throw error;
    }
  }

  setMuted(muted) {
    this.muted = muted;
    this.emit('mute', { muted });
  }

  hangUp() {
    this.send({ event: 'stop', sequenceNumber: String(++this.seq), streamSid: this.streamSid, stop: { callSid: this.callId } });
    this.ws?.close(1000, 'caller hung up');
    this.cleanup();
    this.setState('ended');
  }

  async buildAudioGraph() {
    const ctx = this.ctx;
    const source = ctx.createMediaStreamSource(this.stream);
    if (this.engineWanted === 'worklet' && ctx.audioWorklet) {
      await ctx.audioWorklet.addModule(new URL('./worklet.js', import.meta.url));
      const capture = new AudioWorkletNode(ctx, 'mic-capture', {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        channelCount: 1,
        channelCountMode: 'explicit',
      });
      // A node is only processed while connected towards the destination: through a muted gain.
      const sink = ctx.createGain();
      sink.gain.value = 0;
      source.connect(capture).connect(sink).connect(ctx.destination);
      const player = new AudioWorkletNode(ctx, 'agent-player', { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
      player.connect(ctx.destination);
      capture.port.onmessage = ({ data }) => this.onMicFrame(data.frame, data.level);
      player.port.onmessage = ({ data }) => {
        if (data.type === 'mark') this.onPlayed(data.name);
        else if (data.type === 'stats') {
          this.stats.playedMs = Math.round(data.played / 8);
          this.stats.underruns = data.underruns;
        }
      };
      this.out = {
        audio: (frame) => player.port.postMessage({ type: 'audio', frame }, [frame.buffer]),
        mark: (name) => player.port.postMessage({ type: 'mark', name }),
        clear: () => player.port.postMessage({ type: 'clear' }),
      };
      this.nodes = [source, capture, sink, player];
      this.engine = 'worklet';
    } else {
      // ScriptProcessor: deprecated but everywhere; the same DSP on the main thread.
      const node = ctx.createScriptProcessor(1024, 1, 1);
      const encoder = new MicEncoder(ctx.sampleRate, (frame, level) => this.onMicFrame(frame, level));
      const player = new AgentPlayer(ctx.sampleRate, (name) => this.onPlayed(name));
      node.onaudioprocess = (event) => {
        encoder.push(event.inputBuffer.getChannelData(0));
        player.render(event.outputBuffer.getChannelData(0));
        this.stats.playedMs = Math.round(player.playedSamples / 8);
        this.stats.underruns = player.underruns;
      };
      source.connect(node).connect(ctx.destination);
      this.out = { audio: (frame) => player.pushFrame(frame), mark: (name) => player.pushMark(name), clear: () => player.clear() };
      this.nodes = [source, node];
      this.engine = 'script';
    }
  }

  connect(url, callId, token) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
        this.send({
          event: 'start',
          sequenceNumber: String(++this.seq),
          streamSid: this.streamSid,
          start: {
            streamSid: this.streamSid,
            callSid: callId,
            tracks: ['inbound'],
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
            customParameters: { callToken: token, callId },
          },
        });
        this.setState('live');
        resolve();
      };
      ws.onmessage = (event) => {
        try {
          this.onServerMessage(JSON.parse(event.data));
        } catch {
          // Not ours to break the call over: drop it.
        }
      };
      ws.onclose = (event) => {
        const wasLive = this.state === 'live';
        this.cleanup();
        this.setState('ended');
        this.emit('ended', { code: event.code, reason: event.reason, wasLive });
        if (!opened) reject(new Error('Could not connect the call.'));
      };
    });
  }

  onServerMessage(message) {
    if (message.event === 'media' && message.media?.payload) {
      this.stats.received++;
      this.out?.audio(fromBase64(message.media.payload));
    } else if (message.event === 'mark' && message.mark?.name) {
      this.out?.mark(message.mark.name);
    } else if (message.event === 'clear') {
      this.stats.clears++;
      this.out?.clear();
    }
  }

  onMicFrame(frame, level) {
    this.stats.level = this.muted ? 0 : level;
    if (this.state !== 'live') return;
    if (this.muted) frame.fill(0xff);
    const tick = this.chunk++;
    this.send({
      event: 'media',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(tick + 1), timestamp: String(tick * 20), payload: toBase64(frame) },
    });
    this.stats.sent++;
  }

  onPlayed(name) {
    this.stats.marks++;
    this.send({ event: 'mark', sequenceNumber: String(++this.seq), streamSid: this.streamSid, mark: { name } });
  }

  send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  cleanup() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    for (const node of this.nodes ?? []) {
      try {
        node.disconnect();
      } catch {
        /* already disconnected */
      }
    }
    this.nodes = [];
    if (this.ctx && this.ctx.state !== 'closed') void this.ctx.close();
  }

  setState(state) {
    this.state = state;
    this.emit('state', { state });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
