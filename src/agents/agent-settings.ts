import { z } from 'zod';
import { turnSettingsSchema, type TurnSettings } from '../voice/turn/turn-settings.js';

/** Per-agent call behaviour. Every field is optional; the defaults suit most businesses. */
export const agentSettingsSchema = z.strictObject({
  turn: turnSettingsSchema.partial().optional(),
  /** Caller silence before the agent checks in ("Are you still there?"); twice ends the call. */
  silenceTimeoutSeconds: z.number().int().min(3).max(120).optional(),
  /** The call ends politely after this long, whatever is happening (default 15 minutes). */
  maxCallSeconds: z.number().int().min(10).max(4 * 3600).optional(),
  /** Engines for this agent; unset means the server's STT_ENGINE / TTS_ENGINE. */
  speech: z
    .strictObject({
      tts: z.enum(['kokoro', 'elevenlabs', 'espeak']).optional(),
      stt: z.enum(['whisper', 'openai', 'elevenlabs']).optional(),
      /** Speaking rate, 1 = normal. */
      speed: z.number().min(0.5).max(2).optional(),
    })
    .optional(),
});

export type AgentSettings = z.infer<typeof agentSettingsSchema>;

export interface ResolvedCallSettings {
  turn: TurnSettings;
  silenceTimeoutMs: number;
  maxCallMs: number;
  speech: { tts?: TtsEngineName; stt?: SttEngineName; speed?: number };
}

export type TtsEngineName = 'kokoro' | 'elevenlabs' | 'espeak';
export type SttEngineName = 'whisper' | 'openai' | 'elevenlabs';

export function resolveCallSettings(stored: unknown): ResolvedCallSettings {
  const parsed = agentSettingsSchema.safeParse(stored ?? {});
  const settings = parsed.success ? parsed.data : {};
  return {
    turn: turnSettingsSchema.parse(settings.turn ?? {}),
    silenceTimeoutMs: (settings.silenceTimeoutSeconds ?? 10) * 1000,
    maxCallMs: (settings.maxCallSeconds ?? 15 * 60) * 1000,
    speech: settings.speech ?? {},
  };
}
