import { api } from '../api.js';
import { append, errorBox, h } from '../dom.js';
import { announce } from '../app.js';
import { CLOSE_TRANSFER, WebPhone } from '../phone/web-phone.js';
import { TwilioPhone } from '../phone/twilio-phone.js';
import { agentHeader } from './agent-nav.js';
import { transcriptList } from './transcript.js';

export async function render(main, { agentId, query }) {
  const [agent, capabilities] = await Promise.all([
    api('GET', `/agents/${encodeURIComponent(agentId)}`),
    api('GET', '/capabilities').catch(() => ({})),
  ]);
  // "Call through Twilio" (a real Twilio call via @twilio/voice-sdk) only when the server is set up for it.
  const twilioCalls = capabilities.twilioClientCalls === true;
  const engine = query.get('engine') === 'script' ? 'script' : 'worklet';
  let phone;
  let statsTimer;
  let transcriptTimer;

  const status = h('p', { role: 'status', 'aria-live': 'polite', id: 'call-status' }, 'Not connected.');
  const errors = h('div');
  const meterFill = h('span');
  const meter = h('div', { class: 'meter', role: 'img', 'aria-label': 'Microphone level' }, meterFill);
  const stat = (id, label) => {
    const value = h('dd', { id, 'data-testid': id }, '0');
    return [h('div', {}, h('dt', {}, label), value), value];
  };
  const [receivedBox, received] = stat('frames-received', 'Agent audio frames received');
  const [playedBox, played] = stat('seconds-played', 'Agent audio played (s)');
  const [sentBox, sent] = stat('frames-sent', 'Your audio frames sent');
  const [marksBox, marks] = stat('marks-echoed', 'Marks echoed');
  const transcript = h('div', { id: 'live-transcript', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const afterCall = h('div');

  const start = h('button', { type: 'button', id: 'start-call', onclick: () => void begin() }, 'Start call');
  const twilioStart = h('button', { type: 'button', id: 'start-twilio-call', class: 'secondary', hidden: !twilioCalls, onclick: () => void begin('twilio') }, 'Call through Twilio');
  const mute = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', hidden: true, onclick: () => phone?.setMuted(!phone.muted) }, 'Mute');
  const hangUp = h('button', { type: 'button', class: 'danger', hidden: true, onclick: () => phone?.hangUp() }, 'Hang up');

  const showStats = () => {
    if (!phone) return;
    received.textContent = String(phone.stats.received);
    played.textContent = (phone.stats.playedMs / 1000).toFixed(1);
    sent.textContent = String(phone.stats.sent);
    marks.textContent = String(phone.stats.marks);
    meterFill.style.width = `${Math.min(100, Math.round(phone.stats.level * 400))}%`;
  };

  const refreshTranscript = async () => {
    if (!phone?.callId) return;
    try {
      const call = await api('GET', `/calls/${encodeURIComponent(phone.callId)}`);
      transcript.replaceChildren(transcriptList(call.turns));
    } catch {
      /* the next poll tries again */
    }
  };

  const stopTimers = () => {
    clearInterval(statsTimer);
    clearInterval(transcriptTimer);
  };

  const begin = async (kind = 'web') => {
    errors.replaceChildren();
    afterCall.replaceChildren();
    transcript.replaceChildren();
    phone = kind === 'twilio' ? new TwilioPhone({ agentId: agent.id }) : new WebPhone({ agentId: agent.id, engine });
    statsList.hidden = kind === 'twilio'; // a Twilio call's audio never passes through this page's code
    phone.addEventListener('state', ({ detail }) => {
      const live = detail.state === 'live';
      start.hidden = live || detail.state === 'starting';
      twilioStart.hidden = !twilioCalls || live || detail.state === 'starting';
      mute.hidden = !live;
      hangUp.hidden = !live;
      if (detail.state === 'starting') status.textContent = 'Connecting…';
      if (live) {
        section.dataset.engine = phone.engine;
        status.textContent = `On the call with ${agent.name}. Speak when you hear the greeting.`;
        hangUp.focus();
      }
    });
    phone.addEventListener('mute', ({ detail }) => {
      mute.textContent = detail.muted ? 'Unmute' : 'Mute';
      mute.setAttribute('aria-pressed', String(detail.muted));
      announce(detail.muted ? 'Microphone muted.' : 'Microphone on.');
    });
    phone.addEventListener('ended', async ({ detail }) => {
      stopTimers();
      showStats();
      start.hidden = false;
      twilioStart.hidden = !twilioCalls;
      start.textContent = 'Call again';
      status.textContent = 'Call ended.';
      if (detail.error) afterCall.append(errorBox(new Error(detail.error)));
      if (detail.code === CLOSE_TRANSFER) {
        afterCall.append(
          h('p', { class: 'notice' }, `The agent would now put you through to ${agent.transferNumber ?? 'a person'}. Transfers only work on phone calls, so this web call ended here.`),
        );
      } else if (detail.code === 1008) {
        afterCall.append(errorBox(new Error('The server refused the call. Try again.')));
      }
      await refreshTranscript();
      if (phone.callId) afterCall.append(h('p', {}, h('a', { href: `#/calls/${phone.callId}` }, 'Open this call’s page')));
      start.focus();
    });
    statsTimer = setInterval(showStats, 200);
    transcriptTimer = setInterval(() => void refreshTranscript(), 1000);
    try {
      await phone.start();
    } catch (error) {
      stopTimers();
      start.hidden = false;
      twilioStart.hidden = !twilioCalls;
      status.textContent = 'Not connected.';
      const message =
        error.name === 'NotAllowedError'
          ? 'The browser was not allowed to use the microphone. Allow it in the address bar and try again.'
          : error.name === 'NotFoundError'
            ? 'No microphone was found.'
            : error.message;
      errors.append(errorBox(new Error(message)));
    }
  };

  const statsList = h('dl', { class: 'stats' }, receivedBox, playedBox, sentBox, marksBox);
  const section = h(
    'section',
    { class: 'card phone', 'aria-label': 'Web phone', id: 'web-phone' },
    status,
    meter,
    h('div', { class: 'actions controls' }, start, twilioStart, mute, hangUp),
    statsList,
  );
  append(main, 
    ...agentHeader(agent, 'talk', `Talk to ${agent.name}`),
    h('p', {}, 'Call your agent from this browser and hear exactly what a caller hears. The microphone is used only while the call is on.'),
    twilioCalls ? h('p', {}, '“Call through Twilio” places a real call over Twilio’s network, the way a caller’s phone reaches the agent.') : null,
    agent.status !== 'active' ? h('p', { class: 'notice' }, 'This agent is disabled. Enable it in its settings to talk to it.') : null,
    errors,
    section,
    h('h2', {}, 'Transcript'),
    transcript,
    afterCall,
  );
  if (agent.status !== 'active') start.disabled = twilioStart.disabled = true;

  return () => {
    stopTimers();
    if (phone && phone.state !== 'ended' && phone.state !== 'idle') phone.hangUp();
  };
}
