import { z } from 'zod';

/**
 * Turn-taking knobs, tunable per agent. Defaults follow what the field settled on (Pipecat,
 * LiveKit) and are tuned for phone audio: onset needs two VAD windows (64 ms) so a barge-in
 * clears Twilio's buffer well inside 150 ms, while a sound shorter than bargeInMinSpeechMs (a
 * cough, a click) never takes the turn.
 */
export const turnSettingsSchema = z.strictObject({
  speechThreshold: z.number().min(0.05).max(0.99).default(0.5),
  silenceThreshold: z.number().min(0.01).max(0.95).default(0.35),
  speechStartMs: z.number().int().min(32).max(1000).default(64),
  bargeInMinSpeechMs: z.number().int().min(0).max(3000).default(450),
  endOfTurnSilenceMs: z.number().int().min(200).max(3000).default(550),
  preRollMs: z.number().int().min(0).max(1000).default(250),
  maxUtteranceMs: z.number().int().min(2000).max(120_000).default(30_000),
});

export type TurnSettings = z.infer<typeof turnSettingsSchema>;
export const defaultTurnSettings: TurnSettings = turnSettingsSchema.parse({});
