import { api, serverEvents } from '../api.js';
import { append, clear, errorBox, h } from '../dom.js';

const STAGE_LABELS = {
  queued: 'Waiting to start',
  crawl: 'Reading your website',
  extract: 'Finding the facts',
  categorize: 'Sorting the facts into categories',
  save: 'Saving the knowledge base',
  configure: 'Writing the agent’s greeting and instructions',
  provision: 'Getting a phone number',
  ready: 'Ready',
  done: 'Done',
};
const label = (stage) => STAGE_LABELS[stage] ?? (stage ? stage.charAt(0).toUpperCase() + stage.slice(1).replace(/[_-]/g, ' ') : 'Working');
const finished = (job) => job.status === 'succeeded' || job.status === 'failed';

/** Live progress of an agent being built from a website: server-sent events, polling as the fallback. */
export async function render(main, { jobId }) {
  const controller = new AbortController();
  const bar = h('progress', { max: '100', value: '0', 'aria-label': 'Progress' });
  const status = h('p', { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'job-status' }, 'Starting…');
  const steps = h('ol', { class: 'stages', 'aria-label': 'Steps' });
  const outcome = h('div');
  const seen = [];
  let last;

  append(main, h('h1', {}, 'Setting up your agent'), h('div', { class: 'card' }, bar, status, steps), outcome);

  const show = (job) => {
    last = job;
    const percent = Math.round((job.progress ?? 0) * 100);
    bar.value = percent;
    if (job.stage && job.stage !== 'queued' && !seen.includes(job.stage)) seen.push(job.stage);
    steps.replaceChildren(
      ...seen.map((stage) => {
        const state = job.status === 'succeeded' || stage !== job.stage ? 'done' : job.status === 'failed' ? 'failed' : 'active';
        return h('li', { 'data-state': state }, label(stage), state === 'done' ? h('span', { class: 'sr-only' }, ' (done)') : null);
      }),
    );
    if (job.status === 'succeeded') {
      status.textContent = 'Your agent is ready.';
      status.className = 'success';
      append(clear(outcome), 
        job.stats ? h('p', { class: 'muted' }, statsLine(job.stats)) : null,
        h(
          'div',
          { class: 'actions' },
          h('a', { class: 'btn', href: `#/agents/${job.agentId}/knowledge` }, 'Review its knowledge'),
          h('a', { class: 'btn secondary', href: `#/agents/${job.agentId}/talk` }, 'Talk to your agent'),
          h('a', { class: 'btn secondary', href: `#/agents/${job.agentId}` }, 'Settings'),
        ),
      );
    } else if (job.status === 'failed') {
      status.textContent = 'Setting up the agent failed.';
      append(clear(outcome), 
        errorBox(new Error(job.error ?? 'The website could not be read.')),
        h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/agents/new' }, 'Try again')),
      );
    } else {
      status.textContent = `${label(job.stage)}… ${percent}%`;
    }
  };

  const watch = async () => {
    try {
      for await (const message of serverEvents(`/jobs/${encodeURIComponent(jobId)}/events`, { signal: controller.signal })) {
        if (message.event !== 'job') continue;
        const job = JSON.parse(message.data);
        show(job);
        if (finished(job)) return;
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error.status === 404) return outcome.replaceChildren(errorBox(new Error('This setup job was not found.')));
    }
    // The stream ended early (a proxy cut it, the network blinked): poll until the job is done.
    while (!controller.signal.aborted && !(last && finished(last))) {
      try {
        show(await api('GET', `/jobs/${encodeURIComponent(jobId)}`, undefined, { signal: controller.signal }));
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  };
  void watch();
  return () => controller.abort();
}

function statsLine(stats) {
  const parts = [];
  if (typeof stats.pages === 'number') parts.push(`${stats.pages} page${stats.pages === 1 ? '' : 's'} read`);
  if (typeof stats.entries === 'number') parts.push(`${stats.entries} facts filed`);
  else if (typeof stats.added === 'number') parts.push(`${stats.added} facts filed`);
  if (typeof stats.durationMs === 'number') parts.push(`in ${(stats.durationMs / 1000).toFixed(1)} s`);
  return parts.join(', ');
}
