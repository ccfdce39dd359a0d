import { h } from '../dom.js';

/** The agent's name as the page heading, and its sub-pages. */
export function agentHeader(agent, current, title) {
  const tabs = [
    ['settings', `#/agents/${agent.id}`, 'Settings'],
    ['knowledge', `#/agents/${agent.id}/knowledge`, 'Knowledge'],
    ['talk', `#/agents/${agent.id}/talk`, 'Talk to your agent'],
    ['calls', `#/calls?agentId=${encodeURIComponent(agent.id)}`, 'Calls'],
  ];
  return [
    h('p', { class: 'meta' }, h('a', { href: '#/agents' }, 'Agents'), ' › ', agent.name),
    h('h1', {}, title ?? agent.name),
    h(
      'nav',
      { 'aria-label': `${agent.name}` },
      h(
        'ul',
        { class: 'subnav' },
        tabs.map(([key, href, text]) => h('li', {}, h('a', { href, 'aria-current': key === current ? 'page' : false }, text))),
      ),
    ),
  ];
}
