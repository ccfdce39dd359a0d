import { api } from '../api.js';
import { append, errorBox, field, h } from '../dom.js';
import { navigate } from '../app.js';

export function render(main) {
  const url = h('input', { type: 'url', name: 'url', inputmode: 'url', autocomplete: 'url', required: true, placeholder: 'https://www.example.com' });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'organization', maxlength: '100' });
  const provision = h('input', { type: 'checkbox', name: 'provisionNumber', id: 'provision-number' });
  const areaCode = h('input', { type: 'text', name: 'areaCode', inputmode: 'numeric', maxlength: '3', pattern: '[2-9][0-9]{2}', autocomplete: 'off' });
  const errors = h('div');
  const submit = h('button', { type: 'submit' }, 'Create agent');
  append(main, 
    h('h1', {}, 'New agent from a website'),
    h('p', {}, 'Paste your website’s address. The agent reads the site, files what it finds (opening hours, services, prices…) into its knowledge base and is ready to take calls, usually in under three minutes.'),
    h(
      'form',
      {
        class: 'card',
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          errors.replaceChildren();
          const value = url.value.trim();
          if (!/^https?:\/\/\S+$/i.test(value)) {
            url.setAttribute('aria-invalid', 'true');
            errors.append(errorBox(new Error('Enter the full address of your website, starting with https://')));
            return url.focus();
          }
          url.removeAttribute('aria-invalid');
          submit.disabled = true;
          try {
            const body = {
              url: value,
              ...(name.value.trim() ? { name: name.value.trim() } : {}),
              ...(provision.checked ? { provisionNumber: true, ...(areaCode.value.trim() ? { areaCode: areaCode.value.trim() } : {}) } : {}),
            };
            const { jobId } = await api('POST', '/agents/from-url', body);
            navigate(`#/jobs/${jobId}`);
          } catch (error) {
            errors.append(errorBox(error));
            submit.disabled = false;
          }
        },
      },
      errors,
      field('Website address', url),
      field('Agent name (optional)', name, 'Leave empty to use the business name found on the site.'),
      h('div', { class: 'field checkbox' }, provision, h('label', { for: 'provision-number' }, 'Also get a new US phone number for it (needs Twilio)')),
      field('Area code for the number (optional)', areaCode, 'Three digits, e.g. 415.'),
      h('div', { class: 'actions' }, submit, h('a', { class: 'btn secondary', href: '#/agents' }, 'Cancel')),
    ),
  );
}
