import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { parseSecretsKey, SECRETS_KEY_FORMAT } from './secrets/secret-box.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = optionalString.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional());
const int = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: `must be an integer from ${min} to ${max}` })
    .int({ message: `must be an integer from ${min} to ${max}` })
    .min(min, { message: `must be an integer from ${min} to ${max}` })
    .max(max, { message: `must be an integer from ${min} to ${max}` })
    .default(fallback);
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', ''].includes(v), { message: 'must be true or false' })
  .transform((v) => ['true', '1', 'yes'].includes(v))
  .default(false);
const flagDefaultTrue = flag.unwrap().default(true);

/** One fallback language model in LLM_FALLBACKS. */
const llmFallbackSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  apiKey: z.string().trim().min(1).optional(),
  model: z.string().trim().min(1, { message: 'must not be empty' }),
  name: z.string().trim().min(1).optional(),
});
export type LlmProviderConfig = { name: string; baseUrl?: string; apiKey?: string; model: string };

/** LLM_FALLBACKS: a JSON array; the error says which item and field is wrong, never a key's value. */
const llmFallbacks = z
  .string()
  .trim()
  .default('')
  .transform((text, ctx) => {
    if (text === '') return [];
    const shape = 'must be a JSON array of {baseUrl, apiKey?, model, name?}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${shape} (it is not valid JSON)` });
      return z.NEVER;
    }
    const result = z.array(llmFallbackSchema).safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const [item, field] = issue.path;
      const where = typeof item === 'number' ? ` (item ${item + 1}${field === undefined ? '' : ` ${String(field)}`})` : '';
      ctx.addIssue({ code: 'custom', message: `${shape}${where}: ${issue.message.replace(/^Invalid input: /, '')}` });
      return z.NEVER;
    }
    return result.data;
  });

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535, 3000),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    PUBLIC_URL: optionalUrl,
    DATA_DIR: z.string().trim().min(1).default('data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ADMIN_API_KEY: optionalString.pipe(z.string().min(24, { message: 'must be at least 24 characters' }).optional()),
    // Encrypts secrets stored in the database (webhook signing secrets); unset: DATA_DIR/secrets.key.
    SECRETS_KEY: optionalString.pipe(z.string().refine((v) => parseSecretsKey(v) !== undefined, { message: SECRETS_KEY_FORMAT }).optional()),
    TWILIO_ACCOUNT_SID: optionalString.pipe(
      z.string().regex(/^AC[0-9a-fA-F]{32}$/, { message: 'must look like AC followed by 32 hex digits' }).optional(),
    ),
    TWILIO_AUTH_TOKEN: optionalString,
    TWILIO_API_BASE_URL: optionalUrl,
    // Calls from the dashboard through @twilio/voice-sdk: an API key and the TwiML App whose Voice URL is /twilio/voice.
    TWILIO_API_KEY_SID: optionalString.pipe(z.string().regex(/^SK[0-9a-fA-F]{32}$/, { message: 'must look like SK followed by 32 hex digits' }).optional()),
    TWILIO_API_KEY_SECRET: optionalString,
    TWILIO_TWIML_APP_SID: optionalString.pipe(z.string().regex(/^AP[0-9a-fA-F]{32}$/, { message: 'must look like AP followed by 32 hex digits' }).optional()),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    LLM_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
    LLM_FALLBACKS: llmFallbacks,
    LLM_FIRST_TOKEN_TIMEOUT_MS: int(100, 120_000, 3_000),
    LLM_TIMEOUT_MS: int(1_000, 10 * 60 * 1000, 30_000),
    STT_ENGINE: z.enum(['whisper', 'openai', 'elevenlabs'], { message: 'must be whisper, openai or elevenlabs' }).default('whisper'),
    STT_BASE_URL: optionalUrl,
    STT_API_KEY: optionalString,
    STT_MODEL: optionalString,
    TTS_ENGINE: z.enum(['kokoro', 'elevenlabs', 'espeak'], { message: 'must be kokoro, elevenlabs or espeak' }).default('kokoro'),
    ELEVENLABS_API_KEY: optionalString,
    ELEVENLABS_BASE_URL: optionalUrl,
    ELEVENLABS_MODEL: z.string().trim().min(1).default('eleven_flash_v2_5'),
    ELEVENLABS_VOICE_ID: z.string().trim().min(1).default('21m00Tcm4TlvDq8ikWAM'),
    WHISPER_MODEL: z.enum(['base.en', 'tiny.en'], { message: 'must be base.en or tiny.en' }).default('base.en'),
    KOKORO_VOICE: z.string().trim().regex(/^[a-z]{2}_[a-z0-9]+$/, { message: 'must be a Kokoro voice such as af_heart' }).default('af_heart'),
    MODELS_DIR: optionalString,
    MODELS_AUTO_DOWNLOAD: flagDefaultTrue,
    HF_ENDPOINT: optionalUrl,
    HF_TOKEN: optionalString,
    STT_MAX_WAITING: int(0, 1000, 16),
    STT_TIMEOUT_MS: int(100, 60_000, 3_000),
    TTS_FIRST_AUDIO_TIMEOUT_MS: int(100, 60_000, 1500),
    CRAWL_ALLOW_PRIVATE: flag,
    RATE_LIMIT_PER_MINUTE: int(1, 1_000_000, 600),
    MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024, 1024 * 1024),
    SHUTDOWN_TIMEOUT_MS: int(0, 10 * 60 * 1000, 10_000),
    MEDIA_START_TIMEOUT_MS: int(100, 120_000, 10_000),
    MAX_CONCURRENT_CALLS: int(1, 10_000, 150),
    WEBHOOK_INTERVAL_MS: int(50, 60_000, 1000),
    WEBHOOK_RETRY_BASE_MS: int(10, 600_000, 5000),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TWILIO_ACCOUNT_SID) !== Boolean(env.TWILIO_AUTH_TOKEN)) {
      const missing = env.TWILIO_ACCOUNT_SID ? 'TWILIO_AUTH_TOKEN' : 'TWILIO_ACCOUNT_SID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with the other TWILIO_* variable' });
    }
    const voiceSdk = ['TWILIO_API_KEY_SID', 'TWILIO_API_KEY_SECRET', 'TWILIO_TWIML_APP_SID'] as const;
    const voiceSdkSet = voiceSdk.filter((name) => env[name]);
    if (voiceSdkSet.length > 0) {
      for (const name of voiceSdk.filter((n) => !env[n])) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be set together with TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET and TWILIO_TWIML_APP_SID' });
      }
      if (!env.TWILIO_ACCOUNT_SID) ctx.addIssue({ code: 'custom', path: ['TWILIO_ACCOUNT_SID'], message: `is required when ${voiceSdkSet[0]} is set` });
    }
    if (env.TTS_ENGINE === 'elevenlabs' && !env.ELEVENLABS_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ELEVENLABS_API_KEY'], message: 'is required when TTS_ENGINE=elevenlabs' });
    }
    if (env.STT_ENGINE === 'elevenlabs' && !env.ELEVENLABS_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ELEVENLABS_API_KEY'], message: 'is required when STT_ENGINE=elevenlabs' });
    }
    if (env.STT_ENGINE === 'openai' && !env.STT_API_KEY && !env.OPENAI_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['STT_API_KEY'], message: 'is required (or OPENAI_API_KEY) when STT_ENGINE=openai' });
    }
  });

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof envSchema>) {
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const dataDir = resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    dataDir,
    databasePath: resolve(dataDir, 'app.db'),
    logLevel: env.LOG_LEVEL,
    adminApiKey: env.ADMIN_API_KEY,
    secretsKey: env.SECRETS_KEY ? parseSecretsKey(env.SECRETS_KEY) : undefined,
    twilio: env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN
      ? {
          accountSid: env.TWILIO_ACCOUNT_SID,
          authToken: env.TWILIO_AUTH_TOKEN,
          // Another origin for Twilio's REST API: a local double in tests, or an egress proxy.
          apiBaseUrl: (env.TWILIO_API_BASE_URL ?? 'https://api.twilio.com').replace(/\/+$/, ''),
          // Browser calls through @twilio/voice-sdk (POST /api/agents/:id/voice-token); all three or none.
          voiceSdk:
            env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET && env.TWILIO_TWIML_APP_SID
              ? { apiKeySid: env.TWILIO_API_KEY_SID, apiKeySecret: env.TWILIO_API_KEY_SECRET, twimlAppSid: env.TWILIO_TWIML_APP_SID }
              : undefined,
        }
      : undefined,
    llm: {
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
      model: env.LLM_MODEL,
      // Tried in order after the primary (OPENAI_*), when it fails or its circuit breaker is open.
      fallbacks: env.LLM_FALLBACKS.map(
        (f): LlmProviderConfig => ({ name: f.name ?? providerName(f.baseUrl, f.model), baseUrl: f.baseUrl, apiKey: f.apiKey, model: f.model }),
      ),
      firstTokenTimeoutMs: env.LLM_FIRST_TOKEN_TIMEOUT_MS,
      timeoutMs: env.LLM_TIMEOUT_MS,
    },
    stt: {
      engine: env.STT_ENGINE,
      baseUrl: env.STT_BASE_URL ?? env.OPENAI_BASE_URL,
      apiKey: env.STT_API_KEY ?? env.OPENAI_API_KEY,
      model: env.STT_MODEL ?? 'whisper-1',
      maxWaiting: env.STT_MAX_WAITING,
      timeoutMs: env.STT_TIMEOUT_MS,
    },
    tts: { engine: env.TTS_ENGINE, firstAudioTimeoutMs: env.TTS_FIRST_AUDIO_TIMEOUT_MS },
    elevenLabs: env.ELEVENLABS_API_KEY
      ? {
          apiKey: env.ELEVENLABS_API_KEY,
          baseUrl: (env.ELEVENLABS_BASE_URL ?? 'https://api.elevenlabs.io').replace(/\/+$/, ''),
          model: env.ELEVENLABS_MODEL,
          voiceId: env.ELEVENLABS_VOICE_ID,
        }
      : undefined,
    models: {
      // Local Whisper and Kokoro weights, in Hugging Face's repo layout (`npm run models` fills it).
      dir: resolve(env.MODELS_DIR ?? resolve(dataDir, 'models')),
      whisper: env.WHISPER_MODEL,
      kokoroVoice: env.KOKORO_VOICE,
      // On by default so `npm start` gets real voices on a connected machine; air-gapped installs
      // turn it off (or point HF_ENDPOINT at a mirror). Tests turn it off.
      autoDownload: env.MODELS_AUTO_DOWNLOAD,
      hfEndpoint: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, ''),
      hfToken: env.HF_TOKEN,
    },
    crawl: { allowPrivate: env.CRAWL_ALLOW_PRIVATE },
    telephony: { maxConcurrentCalls: env.MAX_CONCURRENT_CALLS, mediaStartTimeoutMs: env.MEDIA_START_TIMEOUT_MS },
    webhooks: { intervalMs: env.WEBHOOK_INTERVAL_MS, retryBaseMs: env.WEBHOOK_RETRY_BASE_MS },
    http: {
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      maxBodyBytes: env.MAX_BODY_BYTES,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
  };
}

/** A readable default provider name ("gpt-4o-mini@api.groq.com"); never includes a key. */
export function providerName(baseUrl: string | undefined, model: string): string {
  return `${model}@${baseUrl ? new URL(baseUrl).host : 'api.openai.com'}`;
}

export class ConfigError extends Error {}

/** Validates the environment once; the message names every bad variable, on one line. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `${name} ${issue.message.replace(/^Invalid input: /, '')}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return toConfig(result.data);
}

/** process.env over the values of a .env file in the working directory (the environment wins). */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}
