import { api } from '../api.js';
import { append, formatDate, formatDuration, h } from '../dom.js';

const OUTCOMES = { message_taken: 'Message taken', transferred: 'Transferred', answered: 'Answered', abandoned: 'Hung up early' };

export async function render(main, { query }) {
  const agentId = query.get('agentId') ?? '';
  const [{ calls }, { agents }] = await Promise.all([
    api('GET', `/calls${agentId ? `?agentId=${encodeURIComponent(agentId)}` : ''}`),
    api('GET', '/agents'),
  ]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const filter = h(
    'select',
    { id: 'agent-filter', onchange: (e) => (location.hash = e.target.value ? `#/calls?agentId=${encodeURIComponent(e.target.value)}` : '#/calls') },
    h('option', { value: '' }, 'All agents'),
    agents.map((a) => h('option', { value: a.id }, a.name)),
  );
  filter.value = agentId;
  append(main, 
    h('h1', {}, agentId && names.has(agentId) ? `Calls to ${names.get(agentId)}` : 'Calls'),
    h('div', { class: 'inline-form' }, h('div', { class: 'field' }, h('label', { for: 'agent-filter' }, 'Agent'), filter)),
  );
  if (!calls.length) {
    append(main, h('p', { class: 'card' }, 'No calls yet. Try “Talk to your agent” on an agent’s page.'));
    return;
  }
  append(main, 
    h(
      'ul',
      { class: 'list', 'aria-label': 'Calls' },
      calls.map((call) =>
        h(
          'li',
          {},
          h(
            'div',
            { class: 'list-head' },
            h('h2', {}, h('a', { href: `#/calls/${call.id}` }, call.channel === 'web' ? 'Web call' : call.channel === 'twilio-client' ? 'Browser call through Twilio' : call.from || 'Unknown caller', h('span', { class: 'sr-only' }, ` on ${formatDate(call.startedAt)}`))),
            h('span', { class: 'badge' }, call.status),
          ),
          h('p', { class: 'meta' }, [formatDate(call.startedAt), names.get(call.agentId) ?? 'Deleted agent', formatDuration(call.durationSeconds), OUTCOMES[call.outcome] ?? call.outcome].filter(Boolean).join(' · ')),
          call.summary ? h('p', {}, call.summary) : null,
        ),
      ),
    ),
  );
}
