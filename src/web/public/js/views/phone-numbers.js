import { api } from '../api.js';
import { append, clear, errorBox, field, h } from '../dom.js';
import { announce } from '../app.js';

export async function render(main) {
  append(main, h('h1', {}, 'Phone numbers'), h('p', { class: 'muted' }, 'Each number answers with the agent it points to.'));
  const listBox = h('div');
  const forms = h('div');
  append(main, listBox, forms);
  let agents = [];

  const agentSelect = (value, id) => {
    const select = h('select', { id }, h('option', { value: '' }, 'No agent (not answered)'), agents.map((a) => h('option', { value: a.id }, a.name)));
    select.value = value ?? '';
    return select;
  };

  const draw = async () => {
    const [{ phoneNumbers }, list] = await Promise.all([api('GET', '/phone-numbers'), api('GET', '/agents')]);
    agents = list.agents;
    clear(listBox);
    if (!phoneNumbers.length) listBox.append(h('p', { class: 'card' }, 'No phone numbers yet. Attach one you own or get a new one below.'));
    else
      listBox.append(
        h(
          'ul',
          { class: 'list', 'aria-label': 'Phone numbers' },
          phoneNumbers.map((n) => {
            const select = agentSelect(n.agentId, `route-${n.id}`);
            const errors = h('div');
            select.addEventListener('change', async () => {
              errors.replaceChildren();
              try {
                await api('PATCH', `/phone-numbers/${encodeURIComponent(n.id)}`, { agentId: select.value || null });
                announce(`${n.number} now answers with ${select.selectedOptions[0].textContent}.`);
              } catch (error) {
                errors.append(errorBox(error));
              }
            });
            return h(
              'li',
              {},
              errors,
              h('div', { class: 'list-head' }, h('h2', {}, n.number), n.twilioSid ? h('span', { class: 'badge' }, 'Bought here') : h('span', { class: 'badge' }, 'Your own')),
              h('div', { class: 'inline-form' }, field(`Agent answering ${n.number}`, select)),
              h(
                'div',
                { class: 'actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    onclick: async () => {
                      const what = n.twilioSid ? `Release ${n.number}? It is given back to Twilio and cannot be recovered.` : `Detach ${n.number}?`;
                      if (!confirm(what)) return;
                      try {
                        await api('DELETE', `/phone-numbers/${encodeURIComponent(n.id)}`);
                        announce(`${n.number} removed.`);
                        await draw();
                      } catch (error) {
                        errors.append(errorBox(error));
                      }
                    },
                  },
                  n.twilioSid ? 'Release' : 'Detach',
                  h('span', { class: 'sr-only' }, ` ${n.number}`),
                ),
              ),
            );
          }),
        ),
      );
    drawForms();
  };

  const drawForms = () => {
    const number = h('input', { type: 'tel', inputmode: 'tel', required: true, placeholder: '+14155550123', autocomplete: 'off' });
    const attachAgent = agentSelect(agents[0]?.id, 'attach-agent');
    const attachErrors = h('div');
    const attach = h(
      'form',
      {
        class: 'card',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          attachErrors.replaceChildren();
          try {
            const created = await api('POST', '/phone-numbers', { number: number.value.replace(/[\s().-]/g, ''), agentId: attachAgent.value });
            announce(`${created.number} attached.`);
            await draw();
          } catch (error) {
            attachErrors.append(errorBox(error));
            number.focus();
          }
        },
      },
      h(
        'fieldset',
        {},
        h('legend', {}, 'Attach a number you already own'),
        attachErrors,
        field('Phone number', number, 'In international format, e.g. +14155550123. Point its voice webhook at this server’s /twilio/voice.'),
        field('Agent', attachAgent),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Attach number')),
      ),
    );
    const areaCode = h('input', { type: 'text', inputmode: 'numeric', pattern: '[2-9][0-9]{2}', maxlength: '3', autocomplete: 'off' });
    const provisionAgent = agentSelect(agents[0]?.id, 'provision-agent');
    const provisionErrors = h('div');
    const buy = h('button', { type: 'submit' }, 'Get a number');
    const provision = h(
      'form',
      {
        class: 'card',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          provisionErrors.replaceChildren();
          buy.disabled = true;
          try {
            const created = await api('POST', '/phone-numbers/provision', { agentId: provisionAgent.value, ...(areaCode.value.trim() ? { areaCode: areaCode.value.trim() } : {}) });
            announce(`${created.number} is yours and answers now.`);
            await draw();
          } catch (error) {
            provisionErrors.append(errorBox(error));
          } finally {
            buy.disabled = false;
          }
        },
      },
      h(
        'fieldset',
        {},
        h('legend', {}, 'Get a new number (US, through Twilio)'),
        provisionErrors,
        field('Area code (optional)', areaCode, 'Three digits, e.g. 415.'),
        field('Agent', provisionAgent),
        h('div', { class: 'actions' }, buy),
      ),
    );
    append(clear(forms), h('h2', {}, 'Add a number'), attach, provision);
  };

  await draw();
}
