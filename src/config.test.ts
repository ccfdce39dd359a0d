import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readEnvironment } from './config.js';

describe('configuration', () => {
  it('starts from embedded defaults with no variables at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      stt: { engine: 'whisper' },
      tts: { engine: 'kokoro' },
      crawl: { allowPrivate: false },
      twilio: undefined,
    });
    expect(config.databasePath).toMatch(/data[\\/]app\.db$/);
  });

  it('names the bad variable in one line', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: 'abc' }, /^Invalid configuration: PORT must be an integer from 0 to 65535$/],
      [{ PORT: '70000' }, /PORT must be an integer/],
      [{ PUBLIC_URL: 'example.com' }, /PUBLIC_URL must be an http\(s\) URL/],
      [{ TTS_ENGINE: 'polly' }, /TTS_ENGINE must be kokoro, elevenlabs or espeak/],
      [{ STT_ENGINE: 'vosk' }, /STT_ENGINE must be whisper, openai or elevenlabs/],
      [{ CRAWL_ALLOW_PRIVATE: 'maybe' }, /CRAWL_ALLOW_PRIVATE must be true or false/],
      [{ ADMIN_API_KEY: 'short' }, /ADMIN_API_KEY must be at least 24 characters/],
      [{ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32) }, /TWILIO_AUTH_TOKEN must be set together/],
      [{ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 't' }, /TWILIO_ACCOUNT_SID must look like AC/],
      [{ TTS_ENGINE: 'elevenlabs' }, /ELEVENLABS_API_KEY is required when TTS_ENGINE=elevenlabs/],
      [{ STT_ENGINE: 'openai' }, /STT_API_KEY is required/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    ];
    for (const [env, message] of bad) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((error as Error).message, JSON.stringify(env)).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'hunter2' })).toThrow(/^(?!.*hunter2)/);
  });

  it('derives STT settings from the OpenAI ones and trims PUBLIC_URL', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9000/v1', STT_ENGINE: 'openai', PUBLIC_URL: 'https://calls.example.com/' });
    expect(config.stt).toMatchObject({ apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9000/v1' });
    expect(config.publicUrl).toBe('https://calls.example.com');
    expect(loadConfig({ CRAWL_ALLOW_PRIVATE: 'true' }).crawl.allowPrivate).toBe(true);
  });

  it('reads a .env file, with the real environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vas-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4100\nLLM_MODEL=from-file\n# a comment\n');
    const previous = process.env.LLM_MODEL;
    process.env.LLM_MODEL = 'from-env';
    try {
      const env = readEnvironment(dir);
      expect(env.PORT).toBe('4100');
      expect(env.LLM_MODEL).toBe('from-env');
    } finally {
      if (previous === undefined) delete process.env.LLM_MODEL;
      else process.env.LLM_MODEL = previous;
    }
  });
});
