import { session } from '../api.js';
import { append, errorBox, field, h } from '../dom.js';
import { navigate } from '../app.js';

/** Checks a key against the API without signing in with it (a 401 here is an answer, not a sign-out). */
async function check(key) {
  let res;
  try {
    res = await fetch('/api/agents', { headers: { authorization: `Bearer ${key}`, accept: 'application/json' }, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new Error('The server could not be reached. Check your connection and try again.');
  }
  if (res.ok) return;
  if (res.status === 401) throw new Error('That API key was not accepted. Check it and try again.');
  if (res.status === 403) throw new Error('That key cannot open the dashboard: use your business’s (tenant) API key, not the admin key.');
  if (res.status === 429) throw new Error('Too many attempts. Wait a minute and try again.');
  throw new Error(`The server answered ${res.status}. Try again in a moment.`);
}

export function render(main) {
  const input = h('input', { type: 'password', name: 'apiKey', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const errors = h('div');
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'card',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        errors.replaceChildren();
        const key = input.value.trim();
        if (!key) {
          errors.append(errorBox(new Error('Enter your API key.')));
          input.setAttribute('aria-invalid', 'true');
          return input.focus();
        }
        submit.disabled = true;
        try {
          await check(key);
          session.signIn(key);
          const returnTo = sessionStorage.getItem('voice-agent.returnTo');
          sessionStorage.removeItem('voice-agent.returnTo');
          navigate(returnTo && returnTo !== '#/signin' ? returnTo : '#/agents');
        } catch (error) {
          errors.append(errorBox(error));
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    errors,
    field('API key', input, 'The key you were given when your business was set up. It is kept in this browser tab only and forgotten when the tab closes.'),
    h('div', { class: 'actions' }, submit),
  );
  append(main, h('h1', {}, 'Sign in'), form);
}
