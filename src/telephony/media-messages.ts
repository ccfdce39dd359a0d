import { z } from 'zod';

// Twilio Media Streams messages as Twilio sends them: numbers arrive as strings
// (sequenceNumber, chunk, timestamp), see ../shared/fixtures/twilio/connect-basic-session.log.
const numeric = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform(Number);

export const inboundMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('connected'), protocol: z.string().optional(), version: z.string().optional() }),
  z.object({
    event: z.literal('start'),
    streamSid: z.string().min(1).max(64),
    start: z.object({
      streamSid: z.string().max(64).optional(),
      callSid: z.string().max(64),
      accountSid: z.string().max(64).optional(),
      tracks: z.array(z.string()).optional(),
      mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }).optional(),
      customParameters: z.record(z.string(), z.string()).default({}),
    }),
  }),
  z.object({
    event: z.literal('media'),
    streamSid: z.string().max(64).optional(),
    media: z.object({
      track: z.string().optional(),
      chunk: numeric.optional(),
      timestamp: numeric,
      // 20 ms is 160 bytes; allow a second's worth, refuse anything bigger.
      payload: z.string().max(11_000).regex(/^[A-Za-z0-9+/]*={0,2}$/),
    }),
  }),
  z.object({ event: z.literal('mark'), streamSid: z.string().max(64).optional(), mark: z.object({ name: z.string().max(256) }) }),
  z.object({ event: z.literal('dtmf'), streamSid: z.string().max(64).optional(), dtmf: z.object({ digit: z.string().regex(/^[0-9*#A-D]$/), track: z.string().optional() }) }),
  z.object({ event: z.literal('stop'), streamSid: z.string().max(64).optional() }),
]);

export type InboundMessage = z.infer<typeof inboundMessageSchema>;
const KNOWN_EVENTS = new Set(['connected', 'start', 'media', 'mark', 'dtmf', 'stop']);

/** Parses one text frame; undefined (with why) for anything that is not a known message. */
export function parseInboundMessage(data: string): { message?: InboundMessage; problem?: string } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { problem: 'not JSON' };
  }
  const result = inboundMessageSchema.safeParse(json);
  if (!result.success) {
    // Named only when it is one of Twilio's events: what a sender wrote is not repeated in the logs.
    const event = (json as { event?: unknown } | null)?.event;
    return { problem: `invalid ${typeof event === 'string' && KNOWN_EVENTS.has(event) ? event : 'message'}: ${result.error.issues[0]?.message ?? ''}` };
  }
  return { message: result.data };
}
