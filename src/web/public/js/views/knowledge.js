import { api } from '../api.js';
import { append, clear, errorBox, field, h } from '../dom.js';
import { announce, navigate } from '../app.js';
import { agentHeader } from './agent-nav.js';

let categoriesCache;
const loadCategories = async () => (categoriesCache ??= (await api('GET', '/categories')).categories);

function sourceLink(url) {
  if (!url) return null;
  let text = url;
  try {
    const u = new URL(url);
    text = u.host + (u.pathname === '/' ? '' : u.pathname) + u.hash;
  } catch {
    /* shown as given */
  }
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text, h('span', { class: 'sr-only' }, ' (opens in a new tab)'));
}

export async function render(main, { agentId, category }) {
  const [agent, categories] = await Promise.all([api('GET', `/agents/${encodeURIComponent(agentId)}`), loadCategories()]);
  const current = categories.find((c) => c.key === category) ?? categories[0];
  const base = `#/agents/${agent.id}/knowledge`;
  const side = h('nav', { 'aria-label': 'Knowledge categories' });
  const panel = h('section', { 'aria-labelledby': 'category-title' });
  const pageErrors = h('div');
  const recrawl = agent.websiteUrl
    ? h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            try {
              const { jobId } = await api('POST', `/agents/${encodeURIComponent(agent.id)}/recrawl`);
              navigate(`#/jobs/${jobId}`);
            } catch (error) {
              pageErrors.replaceChildren(errorBox(error));
            }
          },
        },
        'Re-read the website now',
      )
    : null;
  append(main, ...agentHeader(agent, 'knowledge', `${agent.name}: knowledge`), pageErrors, recrawl ? h('div', { class: 'actions' }, recrawl) : null, h('div', { class: 'kb' }, side, panel));

  let grouped = {};
  const reload = async () => {
    grouped = (await api('GET', `/agents/${encodeURIComponent(agent.id)}/knowledge`)).categories;
    drawSide();
    drawPanel();
  };

  const drawSide = () => {
    // On a phone the 18 categories are a picker, not a long list to scroll past.
    const picker = h(
      'select',
      { id: 'category-picker', onchange: (event) => navigate(`${base}/${event.target.value}`) },
      categories.map((c) => h('option', { value: c.key }, `${c.title} (${(grouped[c.key] ?? []).length})`)),
    );
    picker.value = current.key;
    append(clear(side), 
      h('div', { class: 'category-picker' }, field('Category', picker)),
      h(
        'ul',
        { class: 'categories' },
        categories.map((c) => {
          const entries = grouped[c.key] ?? [];
          const conflicts = entries.filter((e) => e.conflict).length;
          return h(
            'li',
            {},
            h(
              'a',
              { href: `${base}/${c.key}`, 'aria-current': c.key === current.key ? 'page' : false },
              h('span', {}, c.title),
              h('span', {}, conflicts ? h('span', { class: 'badge warn', title: 'Entries that disagree' }, `${conflicts} ⚠`, h('span', { class: 'sr-only' }, ' conflicts')) : null, ` ${entries.length}`, h('span', { class: 'sr-only' }, entries.length === 1 ? ' entry' : ' entries')),
            ),
          );
        }),
      ),
    );
  };

  const drawPanel = (focusId) => {
    const entries = grouped[current.key] ?? [];
    const conflicts = entries.filter((e) => e.conflict);
    append(clear(panel), 
      h('h2', { id: 'category-title' }, current.title),
      h('p', { class: 'muted' }, current.description),
      conflicts.length
        ? h('p', { class: 'notice' }, `${conflicts.length} of these entries disagree with each other (the website says different things in different places). Edit the right one — that settles it — and delete the wrong one.`)
        : null,
      entries.length
        ? h('ul', { class: 'list', 'aria-label': `${current.title} entries` }, entries.map((entry) => h('li', { id: `entry-${entry.id}` }, entryView(entry))))
        : h('p', { class: 'card' }, 'Nothing here yet.'),
      addForm(),
    );
    if (focusId) panel.querySelector(`#entry-${CSS.escape(focusId)} h3`)?.focus();
  };

  const entryView = (entry) => {
    const item = h(
      'article',
      { 'aria-labelledby': `title-${entry.id}` },
      h(
        'div',
        { class: 'list-head' },
        h('h3', { id: `title-${entry.id}`, tabindex: '-1' }, entry.title),
        entry.conflict ? h('span', { class: 'badge warn' }, 'Conflict: pages disagree') : null,
      ),
      h('p', { class: 'entry-content' }, entry.content),
      h(
        'p',
        { class: 'meta' },
        entry.sourceUrl ? ['Source: ', sourceLink(entry.sourceUrl), ' · '] : null,
        entry.origin === 'manual' ? 'Added or edited by you' : 'From the website',
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => item.replaceWith(editForm(entry)) }, 'Edit', h('span', { class: 'sr-only' }, ` “${entry.title}”`)),
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async (event) => {
              if (!confirm(`Delete “${entry.title}”?`)) return;
              try {
                await api('DELETE', `/agents/${encodeURIComponent(agent.id)}/knowledge/${encodeURIComponent(entry.id)}`);
                announce(`Deleted “${entry.title}”.`);
                await reload();
                panel.querySelector('h2')?.setAttribute('tabindex', '-1');
                panel.querySelector('h2')?.focus();
              } catch (error) {
                event.target.closest('article').prepend(errorBox(error));
              }
            },
          },
          'Delete',
          h('span', { class: 'sr-only' }, ` “${entry.title}”`),
        ),
      ),
    );
    return item;
  };

  const entryForm = ({ entry, legend, submitText, onSave, onCancel }) => {
    const title = h('input', { type: 'text', required: true, maxlength: '200', value: entry?.title ?? '' });
    const content = h('textarea', { required: true, rows: '5', maxlength: '20000' });
    content.value = entry?.content ?? '';
    const cat = h('select', {}, categories.map((c) => h('option', { value: c.key }, c.title)));
    cat.value = entry?.category ?? current.key;
    const source = h('input', { type: 'url', inputmode: 'url', value: entry?.sourceUrl ?? '' });
    const errors = h('div');
    const submit = h('button', { type: 'submit' }, submitText);
    const form = h(
      'form',
      {
        class: 'card',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          errors.replaceChildren();
          if (!title.value.trim() || !content.value.trim()) {
            errors.append(errorBox(new Error('Give the entry a title and some content.')));
            return (title.value.trim() ? content : title).focus();
          }
          submit.disabled = true;
          try {
            await onSave({ category: cat.value, title: title.value.trim(), content: content.value.trim(), sourceUrl: source.value.trim() || null });
          } catch (error) {
            errors.append(errorBox(error));
            submit.disabled = false;
          }
        },
      },
      h(
        'fieldset',
        {},
        h('legend', {}, legend),
        errors,
        field('Title', title),
        field('Content', content, 'What the agent should know and say, in plain words.'),
        field('Category', cat),
        field('Source address (optional)', source),
        h('div', { class: 'actions' }, submit, onCancel ? h('button', { type: 'button', class: 'secondary', onclick: onCancel }, 'Cancel') : null),
      ),
    );
    setTimeout(() => title.focus(), 0);
    return form;
  };

  const editForm = (entry) =>
    entryForm({
      entry,
      legend: `Edit “${entry.title}”`,
      submitText: 'Save entry',
      onSave: async (values) => {
        await api('PATCH', `/agents/${encodeURIComponent(agent.id)}/knowledge/${encodeURIComponent(entry.id)}`, values);
        announce('Entry saved.');
        await reload();
        drawPanel(entry.id);
      },
      onCancel: () => drawPanel(entry.id),
    });

  const addForm = () => {
    const holder = h('div');
    const open = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () =>
          holder.replaceChildren(
            entryForm({
              legend: `Add an entry to ${current.title}`,
              submitText: 'Add entry',
              onSave: async (values) => {
                const created = await api('POST', `/agents/${encodeURIComponent(agent.id)}/knowledge`, values);
                announce('Entry added.');
                await reload();
                drawPanel(created.id);
              },
              onCancel: () => holder.replaceChildren(open),
            }),
          ),
      },
      'Add an entry',
    );
    holder.append(open);
    return h('div', { class: 'actions' }, holder);
  };

  await reload();
}
