/**
 * A call heard by local Whisper and answered in Kokoro's voice, with the models fetched on first
 * start from a Hugging Face look-alike (the tiny generated models: real configs, tokenizers and
 * libraries; scripted outputs). The cloud STT double is configured too and must not be needed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTinyModels, KOKORO_REPO, TINY_WHISPER_PHRASE, WHISPER_REPO } from '../scripts/generate-tiny-models.js';
import { startHubDouble, type HubDouble } from './doubles/hugging-face-hub.js';
import { jfkAt8k, startTelephonyHarness, type TelephonyHarness } from './helpers/telephony-harness.js';

type Readiness = { checks: Record<string, { ok: boolean; detail: string }> };

describe('a call with the local speech engines', () => {
  let hubRoot: string;
  let hub: HubDouble;
  let h: TelephonyHarness;

  beforeAll(async () => {
    hubRoot = await mkdtemp(join(tmpdir(), 'hub-'));
    await generateTinyModels(hubRoot);
    hub = await startHubDouble(hubRoot);
    h = await startTelephonyHarness({
      // Long engine deadlines: this is about the local engines doing the work; the deadlines that
      // hand work on to a fallback are tested in engine-faults (a busy machine must not trip them here).
      env: { STT_ENGINE: 'whisper', WHISPER_MODEL: 'tiny.en', TTS_ENGINE: 'kokoro', MODELS_AUTO_DOWNLOAD: 'true', HF_ENDPOINT: hub.endpoint, STT_TIMEOUT_MS: '20000', TTS_FIRST_AUDIO_TIMEOUT_MS: '10000' },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await hub?.stop();
    await rm(hubRoot, { recursive: true, force: true });
  });

  it('fetches the models on first start, loads them in the background, and reports them ready', async () => {
    let readiness: Readiness | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      readiness = (await (await fetch(`${h.server.url}/readyz`)).json()) as Readiness;
      if (/whisper: ready/.test(readiness.checks.stt!.detail) && /kokoro: ready/.test(readiness.checks.tts!.detail)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(readiness!.checks.stt).toMatchObject({ ok: true, detail: expect.stringMatching(/^whisper \(whisper-tiny\.en\)>openai.*whisper: ready \(loaded in \d+ ms\)/) });
    expect(readiness!.checks.tts).toMatchObject({ ok: true, detail: expect.stringMatching(/^kokoro>espeak.*kokoro: ready/) });
    const models = join(h.server.dataDir, 'models');
    expect(existsSync(join(models, WHISPER_REPO, 'onnx/decoder_model_merged_quantized.onnx'))).toBe(true);
    expect(existsSync(join(models, KOKORO_REPO, 'onnx/model_quantized.onnx'))).toBe(true);
    expect(hub.requests.some((r) => r.path === `/${WHISPER_REPO}/resolve/main/tokenizer.json`)).toBe(true);
    expect(h.server.logs.some((l) => l.event === 'models.missing' && /Downloading them now/.test(String(l.msg)))).toBe(true);
  });

  it('greets in Kokoro, hears the caller with Whisper, and never needs a fallback engine', async () => {
    const call = await h.dial();
    await call.waitFor(() => call.count('mark') >= 1, 15_000);
    expect(call.played.length).toBeGreaterThan(10);
    await call.say(jfkAt8k().slice(0, 8000 * 2.5));
    // The caller's turn is written once Whisper has heard it (a slow machine may say "One moment." first).
    const id = call.parameters.callId!;
    let detail: { turns: { speaker: string; text: string }[] } | undefined;
    for (let i = 0; i < 300 && !detail?.turns.some((t) => t.speaker === 'caller'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      detail = (await h.tenant.get(`/api/calls/${id}`)).body;
    }
    await call.waitFor(() => call.count('mark') >= 2, 20_000);
    call.hangUp();
    await call.closed;
    expect(detail!.turns.find((t) => t.speaker === 'caller')).toMatchObject({ text: TINY_WHISPER_PHRASE.trim() });
    expect(h.stt.requests).toHaveLength(0);
    expect(h.server.logs.filter((l) => l.event === 'tts.fallback' || l.event === 'stt.fallback')).toEqual([]);
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    expect(metrics).toMatch(/stt_queue_wait_seconds_count [1-9]/);
  });
});
