/**
 * Dashboard entry: a hash router (#/agents, #/agents/:id/knowledge/:category, …) that renders
 * one view at a time into <main>, moves focus to its heading and announces the page change.
 * A view is `render(main, params) → cleanup?`; the cleanup runs when the page is left.
 */
import { session } from './api.js';
import { append, clear, errorBox, h } from './dom.js';

const routes = [
  { pattern: /^#\/signin$/, view: () => import('./views/signin.js'), open: true },
  { pattern: /^#\/agents$/, view: () => import('./views/agents.js'), section: 'agents' },
  { pattern: /^#\/agents\/new$/, view: () => import('./views/new-agent.js'), section: 'agents' },
  { pattern: /^#\/jobs\/(?<jobId>[\w-]+)$/, view: () => import('./views/job.js'), section: 'agents' },
  { pattern: /^#\/agents\/(?<agentId>[\w-]+)$/, view: () => import('./views/agent-settings.js'), section: 'agents' },
  { pattern: /^#\/agents\/(?<agentId>[\w-]+)\/knowledge(?:\/(?<category>[a-z_]+))?$/, view: () => import('./views/knowledge.js'), section: 'agents' },
  { pattern: /^#\/agents\/(?<agentId>[\w-]+)\/talk(?:\?(?<query>.*))?$/, view: () => import('./views/talk.js'), section: 'agents' },
  { pattern: /^#\/calls(?:\?(?<query>.*))?$/, view: () => import('./views/calls.js'), section: 'calls' },
  { pattern: /^#\/calls\/(?<callId>[\w-]+)$/, view: () => import('./views/call.js'), section: 'calls' },
  { pattern: /^#\/messages$/, view: () => import('./views/messages.js'), section: 'messages' },
  { pattern: /^#\/numbers$/, view: () => import('./views/phone-numbers.js'), section: 'numbers' },
];

const main = document.getElementById('main');
const nav = document.getElementById('main-nav');
const signOut = document.getElementById('sign-out');
const announcer = document.getElementById('announcer');
let cleanup;
let rendering = 0;

export function announce(text) {
  announcer.textContent = '';
  // A change after a tick is announced even when the text repeats.
  setTimeout(() => (announcer.textContent = text), 50);
}

export function navigate(hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

async function render() {
  const hash = location.hash || '#/agents';
  if (!hash.startsWith('#/')) return; // an in-page anchor (the skip link), not a page
  const signedIn = Boolean(session.key);
  nav.hidden = !signedIn;
  signOut.hidden = !signedIn;
  const route = routes.find((r) => r.pattern.test(hash));
  if (!signedIn && !route?.open) {
    sessionStorage.setItem('voice-agent.returnTo', hash);
    return navigate('#/signin');
  }
  for (const link of nav.querySelectorAll('a')) {
    if (route && link.dataset.section === route.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const run = ++rendering;
  const previous = cleanup;
  cleanup = undefined;
  try {
    previous?.();
  } catch {
    /* a view that failed to clean up must not block the next */
  }
  clear(main);
  if (!route) {
    append(main, h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: '#/agents' }, 'Back to your agents')));
    return focusHeading();
  }
  try {
    const view = await route.view();
    if (run !== rendering) return;
    const params = { ...(route.pattern.exec(hash).groups ?? {}) };
    params.query = new URLSearchParams(params.query ?? '');
    const result = await view.render(main, params);
    if (run !== rendering) return typeof result === 'function' ? result() : undefined;
    cleanup = typeof result === 'function' ? result : undefined;
  } catch (error) {
    if (run !== rendering) return;
    append(clear(main), h('h1', { tabindex: '-1' }, 'Something went wrong'), errorBox(error));
  }
  focusHeading();
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
    document.title = `${heading.textContent} · Voice agents`;
    announce(heading.textContent);
  }
}

signOut.addEventListener('click', () => session.signOut());
window.addEventListener('signed-out', () => navigate('#/signin'));
window.addEventListener('hashchange', () => void render());
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
void render();
