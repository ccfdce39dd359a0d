/**
 * The owner's dashboard end to end, in Debian's Chromium against the real server: sign in with
 * a tenant key, build an agent from a real website with live progress (server-sent events read
 * with fetch), find and edit its opening hours, change its settings, talk to it over the web
 * phone with Chromium's fake microphone playing a recorded voice, and read the call back.
 * Screenshots of each page go to test-artifacts/screenshots/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantScope } from '../src/db/tenant-scope.js';
import { findChromium } from '../src/knowledge/crawler/index.js';
import { decodeWav, encodeWav } from '../src/voice/audio/wav.js';
import { startOpenAiAudioServer, type OpenAiAudioServer } from './doubles/openai-audio-server.js';
import { fixtureSites, serveSite, type TestSite } from './helpers/static-site-server.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const CHROMIUM = findChromium();
const SHOTS = fileURLToPath(new URL('../test-artifacts/screenshots/', import.meta.url));
const JFK = fileURLToPath(new URL('../../shared/fixtures/audio/jfk.wav', import.meta.url));
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const CALLER_SAYS = 'What are your opening hours?';
const GREETING = 'Hi, Business Casual Coffee here. How can I help?';

/**
 * What the fake microphone plays, once: 4.5 s of silence (the greeting plays meanwhile), then
 * "And so my fellow Americans" from jfk.wav, then silence. Written at the file's own 16 kHz.
 */
function callerWav(dir: string): string {
  const jfk = decodeWav(readFileSync(JFK));
  const rate = jfk.sampleRate;
  const samples = new Int16Array(rate * 8);
  samples.set(jfk.samples.subarray(0, Math.round(rate * 2.5)), rate * 4.5);
  const path = join(dir, 'caller.wav');
  writeFileSync(path, encodeWav({ samples, sampleRate: rate }));
  return path;
}

type Tenant = Awaited<ReturnType<TestServer['newTenant']>>;
interface Entry { id: string; title: string; content: string; origin: string; sourceUrl: string | null }

describe.skipIf(!CHROMIUM)('the dashboard in Chromium', () => {
  let server: TestServer;
  let stt: OpenAiAudioServer;
  let site: TestSite;
  let tenant: Tenant;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let tmp: string;
  const problems: string[] = [];
  const state: { agentId?: string; callId?: string } = {};

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    tmp = mkdtempSync(join(tmpdir(), 'vas-dashboard-'));
    const root = join(fixtureSites, 'business-casual-coffee');
    // The store page (the opening hours) answers after a second, so the crawl is slow enough to watch.
    const slowStore = (_req: IncomingMessage, res: ServerResponse) =>
      void setTimeout(() => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(join(root, 'store.html'))), 1000);
    [site, stt] = await Promise.all([serveSite(root, { routes: { '/store.html': slowStore } }), startOpenAiAudioServer({ respond: () => CALLER_SAYS })]);
    server = await startTestServer({
      CRAWL_ALLOW_PRIVATE: 'true',
      STT_ENGINE: 'openai',
      STT_BASE_URL: stt.baseUrl,
      STT_API_KEY: stt.apiKey,
      TTS_ENGINE: 'espeak',
      RATE_LIMIT_PER_MINUTE: '10000',
    });
    tenant = await server.newTenant('Business Casual Coffee');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...LAUNCH_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${callerWav(tmp)}%noloop`, '--autoplay-policy=no-user-gesture-required'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['microphone'] });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Refused API calls (the wrong key, the bad number, no Twilio) are the point of some steps; anything else is not.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded with a status of')) problems.push(`console: ${message.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([stt?.close(), site?.close()]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  /** Every form control on the page has an accessible name. */
  const expectLabelled = async () => {
    // (Browser-side code as strings: this project compiles without the DOM library.)
    const unlabelled = await page.evaluate<string[]>(
      `[...document.querySelectorAll('input, select, textarea')].filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')).map((el) => el.outerHTML)`,
    );
    expect(unlabelled).toEqual([]);
  };

  it('redirects / to the dashboard and signs in with the tenant key (a wrong key is refused)', async () => {
    await page.goto(server.url + '/');
    expect(new URL(page.url()).pathname).toBe('/app/');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    await expectLabelled();
    await shot('01-sign-in');
    await page.getByLabel('API key').fill('vas_wrong_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await page.getByLabel('API key').fill(tenant.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your agents' }).waitFor();
    expect(await page.evaluate<string | null>(`sessionStorage.getItem('voice-agent.apiKey')`)).toBe(tenant.apiKey);
    expect(await context.cookies()).toEqual([]);
    await shot('02-agents-empty');
  });

  it('creates an agent from a website and shows live progress until it is ready', async () => {
    await page.getByRole('link', { name: 'New agent from a website' }).click();
    await page.getByRole('heading', { name: 'New agent from a website' }).waitFor();
    await expectLabelled();
    await page.getByLabel('Website address').fill(`${site.origin}/`);
    await page.getByLabel('Agent name (optional)').fill('Business Casual Coffee');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Setting up your agent' }).waitFor();
    // Every text the live region showed, as it changed.
    await page.evaluate(`{
      const status = document.getElementById('job-status');
      const seen = (window.seen = [status.textContent.trim()]);
      new MutationObserver(() => seen.push(status.textContent.trim())).observe(status, { childList: true, characterData: true, subtree: true });
    }`);
    await shot('03-new-agent-progress');
    await page.locator('#job-status', { hasText: 'Your agent is ready.' }).waitFor({ timeout: 45_000 });
    const seen = await page.evaluate<string[]>('window.seen');
    expect(seen.at(-1)).toBe('Your agent is ready.');
    expect(seen.some((text) => /^Reading your website… \d+%$/.test(text))).toBe(true); // live, while it ran
    expect(await page.getByRole('list', { name: 'Steps' }).textContent()).toMatch(/Reading your website.*Finding the facts.*Ready/);
    expect(await page.locator('progress').getAttribute('value')).toBe('100');
    expect(await page.locator('#job-status').getAttribute('aria-live')).toBe('polite');
    // The progress came over the authenticated event stream, not by polling.
    expect(server.logs.some((l) => typeof l.req === 'object' && /\/api\/jobs\/[\w-]+\/events$/.test(String((l.req as { url?: string }).url)))).toBe(true);
    state.agentId = /#\/agents\/([\w-]+)\//.exec((await page.getByRole('link', { name: 'Review its knowledge' }).getAttribute('href')) ?? '')?.[1];
    expect(state.agentId).toBeTruthy();
    await shot('04-agent-ready');
  });

  it('shows the opening hours under Hours with their source, and saves an edit', async () => {
    await page.getByRole('link', { name: 'Review its knowledge' }).click();
    const categories = page.getByRole('navigation', { name: 'Knowledge categories' });
    await categories.getByRole('link', { name: /Opening hours/ }).click();
    await page.getByRole('heading', { name: 'Opening hours', level: 2 }).waitFor();
    const hours = page.getByRole('list', { name: 'Opening hours entries' });
    await expect.poll(() => hours.textContent()).toMatch(/Monday[^]*7(:00)?\s*AM[^]*8(:00)?\s*PM/i);
    expect(await hours.getByRole('link', { name: /store\.html/ }).count()).toBeGreaterThan(0);
    expect(await categories.getByRole('link').count()).toBe(18);
    await expectLabelled();
    await shot('05-knowledge-hours');

    const before = (await tenant.get(`/api/agents/${state.agentId}/knowledge?category=hours`)).body.categories.hours as Entry[];
    const entry = before[0]!;
    await page.getByRole('button', { name: `Edit “${entry.title}”` }).click();
    const form = page.getByRole('group', { name: `Edit “${entry.title}”` });
    await form.getByLabel('Content').fill('Monday to Friday 7:00 AM to 8:00 PM. Saturday 8:00 AM to 6:00 PM. Closed on Sundays and public holidays.');
    await shot('06-knowledge-edit-form');
    await form.getByRole('button', { name: 'Save entry' }).click();
    await hours.getByText('Closed on Sundays and public holidays.').waitFor();
    const saved = (await tenant.get(`/api/agents/${state.agentId}/knowledge/${entry.id}`)).body as Entry;
    expect(saved).toMatchObject({ content: 'Monday to Friday 7:00 AM to 8:00 PM. Saturday 8:00 AM to 6:00 PM. Closed on Sundays and public holidays.', origin: 'manual' });

    // Facts the pages disagree on are flagged (seeded here: the coffee shop's site agrees with itself).
    const scope = tenantScope(server.services.database.db, tenant.tenantId);
    for (const phone of ['(317) 585-8468', '(317) 585-0000']) {
      scope.knowledge.create(state.agentId!, { category: 'contact', title: 'Phone', content: phone, sourceUrl: `${site.origin}/about.html`, origin: 'crawl', factKey: 'phone', conflict: true });
    }
    await categories.getByRole('link', { name: /Contact details/ }).click();
    const contact = page.getByRole('list', { name: 'Contact details entries' });
    await expect.poll(() => contact.getByText('Conflict: pages disagree').count()).toBe(2);
    expect(await categories.getByRole('link', { name: /Contact details/ }).textContent()).toMatch(/2 ⚠ conflicts/);
    await page.getByText('2 of these entries disagree with each other').waitFor();
    await shot('06-knowledge-conflict');
    await categories.getByRole('link', { name: /Opening hours/ }).click();
    await page.getByRole('heading', { name: 'Opening hours', level: 2 }).waitFor();

    // Add one, then delete it again.
    await page.getByRole('button', { name: 'Add an entry' }).click();
    const add = page.getByRole('group', { name: 'Add an entry to Opening hours' });
    await add.getByLabel('Title').fill('Holiday hours');
    await add.getByLabel('Content').fill('Closed on Christmas Day.');
    await add.getByRole('button', { name: 'Add entry' }).click();
    await hours.getByText('Closed on Christmas Day.').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete “Holiday hours”' }).click();
    await expect.poll(async () => ((await tenant.get(`/api/agents/${state.agentId}/knowledge?category=hours`)).body.categories.hours as Entry[]).some((e) => e.title === 'Holiday hours')).toBe(false);
  });

  it('saves the agent settings form', async () => {
    await page.getByRole('navigation', { name: 'Business Casual Coffee' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Greeting').waitFor();
    await expectLabelled();
    await page.getByLabel('Greeting').fill(GREETING);
    await page.getByLabel('Transfer number').fill('+1 317 585 8468');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved at/).waitFor();
    expect((await tenant.get(`/api/agents/${state.agentId}`)).body).toMatchObject({ greeting: GREETING, transferNumber: '+13175858468' });
    await page.getByLabel('Transfer number').fill('not a number');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('alert').filter({ hasText: 'transferNumber' }).waitFor();
    expect(await page.getByLabel('Transfer number').getAttribute('aria-invalid')).toBe('true');
    await shot('07-settings');
  });

  it('talks to the agent over the web phone: greeting heard, caller heard, answer heard', async () => {
    await page.getByRole('link', { name: 'Talk to your agent' }).click();
    await page.getByRole('button', { name: 'Start call' }).click();
    await page.getByRole('button', { name: 'Hang up' }).waitFor();
    const count = async (id: string) => Number(await page.locator(`#${id}`).textContent());
    await expect.poll(() => count('frames-received'), { timeout: 15_000 }).toBeGreaterThan(50); // the greeting
    await expect.poll(() => count('marks-echoed'), { timeout: 15_000 }).toBeGreaterThanOrEqual(1); // ...played in the page
    const transcript = page.locator('#live-transcript');
    await transcript.locator('[data-speaker="caller"]', { hasText: CALLER_SAYS }).waitFor({ timeout: 30_000 });
    const afterCaller = await count('frames-received');
    await expect.poll(() => transcript.locator('[data-speaker="agent"]').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect(await count('frames-received')).toBeGreaterThan(afterCaller); // the answer's audio arrived
    expect(await count('frames-sent')).toBeGreaterThan(300); // 20 ms frames from the microphone all along
    expect(Number(await page.locator('#seconds-played').textContent())).toBeGreaterThan(1);
    expect(await page.locator('#web-phone').getAttribute('data-engine')).toBe('worklet');
    await shot('08-web-phone');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.locator('#call-status', { hasText: 'Call ended.' }).waitFor();
    const link = page.getByRole('link', { name: 'Open this call’s page' });
    await link.waitFor();
    state.callId = /#\/calls\/([\w-]+)/.exec((await link.getAttribute('href')) ?? '')?.[1];

    // The server heard the microphone: the transcript has the caller's turn (from real audio through STT).
    const call = (await tenant.get(`/api/calls/${state.callId}`)).body;
    expect(call).toMatchObject({ channel: 'web', agentId: state.agentId });
    expect(call.turns[0]).toMatchObject({ speaker: 'agent', text: GREETING });
    expect(call.turns.some((t: { speaker: string; text: string }) => t.speaker === 'caller' && t.text === CALLER_SAYS)).toBe(true);
    expect(stt.requests.length).toBeGreaterThanOrEqual(1);
    expect(stt.requests[0]!.durationSec).toBeGreaterThan(1.5); // the whole phrase
  }, 60_000); // about 18 s on an idle 2-core machine: real-time audio both ways

  it('shows the call with its transcript and per-turn latency, and the calls list', async () => {
    await page.getByRole('link', { name: 'Open this call’s page' }).click();
    await page.getByRole('heading', { name: 'Web call', level: 1 }).waitFor();
    const transcript = page.locator('#call-transcript');
    await transcript.locator('[data-speaker="caller"]', { hasText: CALLER_SAYS }).waitFor();
    const answer = transcript.locator('[data-speaker="caller"] ~ [data-speaker="agent"]').first();
    expect(await answer.getByRole('list', { name: 'Latency' }).textContent()).toMatch(/end of speech detected: \d+ ms.*transcription: \d+ ms.*first audio: \d+ ms.*caller stopped → agent spoke: \d+ ms/);
    await shot('09-call');

    // An agent turn the caller talked over is marked as such (seeded: this call had no barge-in).
    const scope = tenantScope(server.services.database.db, tenant.tenantId);
    const seeded = scope.calls.create({ agentId: state.agentId!, twilioCallSid: 'CA' + 'e'.repeat(32), fromNumber: '+13175550100', toNumber: '+13175550142', status: 'completed' });
    scope.calls.addTurn(seeded.id, { seq: 0, speaker: 'agent', text: "Thanks for calling, we're open Monday to", startMs: 0, endMs: 1800, interrupted: true, ttsFirstAudioMs: 80 });
    scope.calls.addTurn(seeded.id, { seq: 1, speaker: 'caller', text: 'Are you open on Sunday?', startMs: 1500, endMs: 2900, endpointingMs: 600, sttMs: 120 });
    await page.goto(`${server.url}/app/#/calls/${seeded.id}`);
    const interrupted = page.locator('#call-transcript [data-interrupted="true"]');
    await interrupted.waitFor();
    expect(await interrupted.textContent()).toContain('Interrupted: the caller spoke over it');
    expect(await page.locator('#call-transcript [data-interrupted="true"]').count()).toBe(1);
    await page.getByText('1 agent turn was interrupted').waitFor();
    await shot('09-call-interrupted');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calls' }).click();
    await page.getByRole('list', { name: 'Calls' }).getByRole('link', { name: /Web call/ }).first().waitFor();
    await shot('10-calls');
  });

  it('attaches a phone number to the agent and explains when numbers cannot be bought', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Phone numbers' }).click();
    await page.getByRole('heading', { name: 'Phone numbers', level: 1 }).waitFor();
    await expectLabelled();
    await page.getByLabel('Phone number').fill('+1 (317) 555-0142');
    await page.getByRole('button', { name: 'Attach number' }).click();
    await page.getByRole('heading', { name: '+13175550142' }).waitFor();
    expect((await tenant.get('/api/phone-numbers')).body.phoneNumbers).toMatchObject([{ number: '+13175550142', agentId: state.agentId }]);
    await page.getByRole('button', { name: 'Get a number' }).click();
    await page.getByRole('alert').filter({ hasText: 'Twilio is not configured' }).waitFor();
    await shot('11-phone-numbers');
  });

  it('lists messages callers left', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    await shot('12-messages');
  });

  it('also talks without AudioWorklet (the ScriptProcessor fallback)', async () => {
    await page.goto(`${server.url}/app/#/agents/${state.agentId}/talk?engine=script`);
    await page.getByRole('button', { name: 'Start call' }).click();
    await page.getByRole('button', { name: 'Hang up' }).waitFor();
    expect(await page.locator('#web-phone').getAttribute('data-engine')).toBe('script');
    await expect.poll(async () => Number(await page.locator('#marks-echoed').textContent()), { timeout: 15_000 }).toBeGreaterThanOrEqual(1); // greeting played
    expect(Number(await page.locator('#frames-received').textContent())).toBeGreaterThan(50);
    expect(Number(await page.locator('#frames-sent').textContent())).toBeGreaterThan(50);
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.locator('#call-status', { hasText: 'Call ended.' }).waitFor();
    const calls = (await tenant.get(`/api/calls?agentId=${state.agentId}`)).body.calls as { channel: string; status: string }[];
    expect(calls.filter((c) => c.channel === 'web')).toHaveLength(2);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/app/#/agents/${state.agentId}/knowledge/hours`);
    await page.getByRole('heading', { name: 'Opening hours', level: 2 }).waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot('13-mobile-knowledge');
    await page.goto(`${server.url}/app/#/agents/${state.agentId}/talk`);
    await page.getByRole('button', { name: 'Start call' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot('14-mobile-talk');
    expect(problems).toEqual([]);
  });
});
