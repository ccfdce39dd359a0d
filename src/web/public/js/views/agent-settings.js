import { api } from '../api.js';
import { append, errorBox, field, h } from '../dom.js';
import { announce, navigate } from '../app.js';
import { agentHeader } from './agent-nav.js';

const nullable = (value) => (value.trim() === '' ? null : value.trim());

export async function render(main, { agentId }) {
  const agent = await api('GET', `/agents/${encodeURIComponent(agentId)}`);
  const inputs = {
    name: h('input', { type: 'text', required: true, maxlength: '100', value: agent.name }),
    greeting: h('input', { type: 'text', maxlength: '500', value: agent.greeting ?? '' }),
    instructions: h('textarea', { rows: '8', maxlength: '10000' }),
    voice: h('input', { type: 'text', maxlength: '100', pattern: '[\\w.\\-]+', value: agent.voice ?? '', spellcheck: 'false' }),
    transferNumber: h('input', { type: 'tel', inputmode: 'tel', autocomplete: 'off', value: agent.transferNumber ?? '', placeholder: '+14155550123' }),
    websiteUrl: h('input', { type: 'url', inputmode: 'url', value: agent.websiteUrl ?? '' }),
    status: h('select', {}, h('option', { value: 'active' }, 'Active: answers calls'), h('option', { value: 'disabled' }, 'Disabled: calls are not answered')),
  };
  inputs.instructions.value = agent.instructions ?? '';
  inputs.status.value = agent.status;
  const errors = h('div');
  const saved = h('p', { role: 'status', 'aria-live': 'polite', class: 'success' });
  const save = h('button', { type: 'submit' }, 'Save settings');

  const onSubmit = async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    saved.textContent = '';
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
    const patch = {
      name: inputs.name.value.trim(),
      greeting: nullable(inputs.greeting.value),
      instructions: nullable(inputs.instructions.value),
      voice: nullable(inputs.voice.value),
      transferNumber: nullable(inputs.transferNumber.value.replace(/[\s().-]/g, '')),
      websiteUrl: nullable(inputs.websiteUrl.value),
      status: inputs.status.value,
    };
    save.disabled = true;
    try {
      const updated = await api('PATCH', `/agents/${encodeURIComponent(agentId)}`, patch);
      saved.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
      main.querySelector('h1').textContent = updated.name;
    } catch (error) {
      errors.append(errorBox(error));
      for (const issue of Array.isArray(error.details) ? error.details : []) {
        if (inputs[issue?.field]) inputs[issue.field].setAttribute('aria-invalid', 'true');
      }
    } finally {
      save.disabled = false;
    }
  };

  const remove = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      onclick: async () => {
        if (!confirm(`Delete the agent “${agent.name}”, its knowledge base and its call history? This cannot be undone.`)) return;
        try {
          await api('DELETE', `/agents/${encodeURIComponent(agentId)}`);
          announce('Agent deleted.');
          navigate('#/agents');
        } catch (error) {
          errors.append(errorBox(error));
        }
      },
    },
    'Delete agent',
  );

  append(main, 
    ...agentHeader(agent, 'settings'),
    h(
      'form',
      { class: 'card', onsubmit: onSubmit, 'aria-label': 'Agent settings' },
      errors,
      field('Name', inputs.name),
      field('Greeting', inputs.greeting, 'The first thing callers hear, e.g. “Thanks for calling Harbor Bakery, how can I help?”'),
      field('Instructions', inputs.instructions, 'How the agent should behave: tone, what to offer, what never to promise.'),
      field('Voice', inputs.voice, 'A voice id of the speech engine (letters, digits, _ . -). Leave empty for the default voice.'),
      field('Transfer number', inputs.transferNumber, 'Where callers are put through when they ask for a person, in international format (+1…). Leave empty for none.'),
      field('Website', inputs.websiteUrl, 'Re-read on the agent’s schedule to keep its knowledge up to date.'),
      field('Status', inputs.status),
      h('div', { class: 'actions' }, save),
      saved,
    ),
    h('h2', {}, 'Danger zone'),
    h('div', { class: 'actions' }, remove),
  );
}
