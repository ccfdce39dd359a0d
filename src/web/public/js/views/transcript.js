import { h } from '../dom.js';

const WHO = { agent: 'Agent', caller: 'Caller', system: 'System' };
const LATENCY = [
  ['endpointingMs', 'end of speech detected'],
  ['sttMs', 'transcription'],
  ['llmFirstTokenMs', 'first words of the answer'],
  ['ttsFirstAudioMs', 'first audio'],
  ['responseMs', 'caller stopped → agent spoke'],
];

const clock = (ms) => {
  if (ms === null || ms === undefined) return '';
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** One call's turns: who said what and when; interrupted agent turns marked; each turn's latencies. */
export function transcriptList(turns, attrs = {}) {
  if (!turns.length) return h('p', { class: 'muted' }, 'Nothing has been said yet.');
  return h(
    'ol',
    { class: 'transcript', ...attrs },
    turns.map((turn) => {
      const latency = LATENCY.filter(([key]) => typeof turn.latency?.[key] === 'number');
      return h(
        'li',
        { class: `turn ${turn.speaker}${turn.interrupted ? ' interrupted' : ''}`, 'data-speaker': turn.speaker, 'data-interrupted': turn.interrupted ? 'true' : 'false' },
        h(
          'div',
          { class: 'list-head' },
          h('span', { class: 'turn-who' }, WHO[turn.speaker] ?? turn.speaker),
          turn.interrupted ? h('span', { class: 'badge warn' }, 'Interrupted: the caller spoke over it') : null,
          h('span', { class: 'meta' }, clock(turn.startMs)),
        ),
        h('p', { class: 'turn-text' }, turn.text || (turn.interrupted ? '(cut off before any words were heard)' : '')),
        latency.length
          ? h(
              'ul',
              { class: 'latency', 'aria-label': 'Latency' },
              latency.map(([key, text]) => h('li', {}, `${text}: `, h('strong', {}, `${turn.latency[key]} ms`))),
            )
          : null,
      );
    }),
  );
}
