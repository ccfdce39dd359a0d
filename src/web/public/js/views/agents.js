import { api } from '../api.js';
import { append, formatDate, h } from '../dom.js';

export async function render(main) {
  const { agents } = await api('GET', '/agents');
  append(main, 
    h('h1', {}, 'Your agents'),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/agents/new' }, 'New agent from a website')),
  );
  if (!agents.length) {
    append(main, h('p', { class: 'card' }, 'No agents yet. Paste your website’s address and one is set up from it in a few minutes.'));
    return;
  }
  append(main, 
    h(
      'ul',
      { class: 'list', 'aria-label': 'Agents' },
      agents.map((agent) =>
        h(
          'li',
          {},
          h(
            'div',
            { class: 'list-head' },
            h('h2', { class: 'h3' }, h('a', { href: `#/agents/${agent.id}` }, agent.name)),
            agent.status === 'active' ? h('span', { class: 'badge ok' }, 'Active') : h('span', { class: 'badge warn' }, 'Disabled'),
          ),
          agent.websiteUrl ? h('p', { class: 'meta' }, agent.websiteUrl) : null,
          h('p', { class: 'meta' }, `Created ${formatDate(agent.createdAt)}`),
          h(
            'div',
            { class: 'actions' },
            h('a', { class: 'btn secondary', href: `#/agents/${agent.id}/knowledge` }, 'Knowledge', h('span', { class: 'sr-only' }, ` of ${agent.name}`)),
            h('a', { class: 'btn secondary', href: `#/agents/${agent.id}/talk` }, 'Talk to it', h('span', { class: 'sr-only' }, ` (${agent.name})`)),
          ),
        ),
      ),
    ),
  );
}
