import { api } from '../api.js';
import { append, formatDate, formatDuration, h } from '../dom.js';
import { transcriptList } from './transcript.js';

export async function render(main, { callId }) {
  const call = await api('GET', `/calls/${encodeURIComponent(callId)}`);
  const agent = call.agentId ? await api('GET', `/agents/${encodeURIComponent(call.agentId)}`).catch(() => undefined) : undefined;
  const interrupted = call.turns.filter((t) => t.interrupted).length;
  const facts = [
    ['Agent', agent ? h('a', { href: `#/agents/${agent.id}` }, agent.name) : 'Deleted agent'],
    ['Channel', call.channel === 'web' ? 'Web call (browser)' : call.channel === 'twilio-client' ? 'Browser call through Twilio' : 'Phone'],
    ['From', call.from],
    ['To', call.to],
    ['Started', formatDate(call.startedAt)],
    ['Duration', formatDuration(call.durationSeconds)],
    ['Status', call.status],
    ['Ended because', call.endReason?.replace(/_/g, ' ')],
    ['Intent', call.intent],
    ['Outcome', call.outcome?.replace(/_/g, ' ')],
  ].filter(([, value]) => value);
  append(main, 
    h('p', { class: 'meta' }, h('a', { href: '#/calls' }, 'Calls'), ' › ', formatDate(call.startedAt)),
    h('h1', {}, call.channel === 'web' ? 'Web call' : call.channel === 'twilio-client' ? 'Browser call through Twilio' : `Call from ${call.from ?? 'an unknown number'}`),
    h('dl', { class: 'card facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    call.summary ? [h('h2', {}, 'Summary'), h('p', {}, call.summary)] : null,
    h('h2', {}, 'Transcript'),
    interrupted ? h('p', { class: 'muted' }, `${interrupted} agent turn${interrupted === 1 ? ' was' : 's were'} interrupted; only the words the caller heard are kept.`) : null,
    transcriptList(call.turns, { id: 'call-transcript' }),
  );
}
