/**
 * AudioWorklet processors of the web phone (loaded with audioWorklet.addModule):
 * `mic-capture` turns the microphone into 20 ms mu-law frames posted to the page;
 * `agent-player` plays the agent's frames and posts each mark once the audio before it has played.
 */
import { AgentPlayer, MicEncoder } from './dsp.js';

class MicCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    // `sampleRate` is the context's rate, a global of the worklet scope.
    this.encoder = new MicEncoder(sampleRate, (frame, level) => this.port.postMessage({ type: 'frame', frame, level }, [frame.buffer]));
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (channel) this.encoder.push(channel);
    return true;
  }
}

class AgentPlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.player = new AgentPlayer(sampleRate, (name) => this.port.postMessage({ type: 'mark', name, played: this.player.playedSamples }));
    this.port.onmessage = ({ data }) => {
      if (data.type === 'audio') this.player.pushFrame(data.frame);
      else if (data.type === 'mark') this.player.pushMark(data.name);
      else if (data.type === 'clear') this.player.clear();
    };
    this.reported = 0;
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    if (out?.[0]) {
      this.player.render(out[0]);
      for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    }
    // About ten times a second: how much has been played (the page shows it).
    if (currentFrame - this.reported >= sampleRate / 10) {
      this.reported = currentFrame;
      this.port.postMessage({ type: 'stats', played: this.player.playedSamples, underruns: this.player.underruns, queued: this.player.queuedSamples });
    }
    return true;
  }
}

registerProcessor('mic-capture', MicCapture);
registerProcessor('agent-player', AgentPlayerProcessor);
