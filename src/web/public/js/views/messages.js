import { api } from '../api.js';
import { append, errorBox, formatDate, h } from '../dom.js';

export async function render(main) {
  const [{ messages }, { agents }] = await Promise.all([api('GET', '/messages'), api('GET', '/agents')]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  append(main, h('h1', {}, 'Messages'), h('p', { class: 'muted' }, 'Messages callers left with your agents: your call-back list.'));
  if (!messages.length) {
    append(main, h('p', { class: 'card' }, 'No messages yet.'));
    return;
  }
  append(main, 
    h(
      'ul',
      { class: 'list', 'aria-label': 'Messages' },
      messages.map((m) => {
        const state = h('span', { class: `badge ${m.status === 'new' ? 'warn' : 'ok'}` }, m.status === 'new' ? 'New' : 'Handled');
        const toggle = h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: async (event) => {
              const next = m.status === 'new' ? 'handled' : 'new';
              try {
                const updated = await api('PATCH', `/messages/${encodeURIComponent(m.id)}`, { status: next });
                m.status = updated.status;
                state.textContent = m.status === 'new' ? 'New' : 'Handled';
                state.className = `badge ${m.status === 'new' ? 'warn' : 'ok'}`;
                toggle.textContent = m.status === 'new' ? 'Mark as handled' : 'Mark as new';
              } catch (error) {
                event.target.closest('li').prepend(errorBox(error));
              }
            },
          },
          m.status === 'new' ? 'Mark as handled' : 'Mark as new',
        );
        return h(
          'li',
          {},
          h('div', { class: 'list-head' }, h('h2', {}, m.callerName || 'Caller'), state),
          h('p', { class: 'entry-content' }, m.message),
          h(
            'p',
            { class: 'meta' },
            m.callbackNumber ? ['Call back: ', h('a', { href: `tel:${m.callbackNumber}` }, m.callbackNumber), ' · '] : null,
            `${names.get(m.agentId) ?? 'Agent'} · ${formatDate(m.createdAt)}`,
            m.callId ? [' · ', h('a', { href: `#/calls/${m.callId}` }, 'Call')] : null,
          ),
          h('div', { class: 'actions' }, toggle),
        );
      }),
    ),
  );
}
