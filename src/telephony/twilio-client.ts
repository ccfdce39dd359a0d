import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { z } from 'zod';
import type { Config } from '../config.js';

/**
 * "Call through Twilio" from the dashboard: a real Twilio call placed by the browser with
 * @twilio/voice-sdk, answered by the same `POST /twilio/voice` webhook and `WS /twilio/media`
 * socket as a phone call.
 *
 * 1. `POST /api/agents/:id/voice-token` (tenant key) issues a Twilio Access Token with a
 *    VoiceGrant (outgoing calls through TWILIO_TWIML_APP_SID only, no incoming calls) for a fresh
 *    random identity (`web-<hex>`, nothing in it but randomness), and records here that this
 *    identity may reach this one agent of this tenant, until the token expires.
 * 2. The browser calls `device.connect({ params: { agentId } })`. Twilio asks the TwiML App's Voice
 *    URL (our `/twilio/voice`, signature checked as for every webhook) what to do, with
 *    `From=client:<identity>`, usually no `To`, and the connect params as form fields.
 * 3. The webhook routes the call to the agent recorded for the identity (an `agentId` param
 *    naming another agent is refused, never followed), records the call with channel
 *    `twilio-client`, and answers `<Connect><Stream>` with a callToken, as for a phone call.
 *    An unknown or expired identity gets `<Say>` and `<Hangup/>`.
 */
export const VOICE_TOKEN_TTL_SECONDS = 600;
/** An identity outlives its token by this much: a call connected just before expiry still routes. */
const IDENTITY_GRACE_MS = 60_000;
const CLIENT_PREFIX = 'client:';

export interface ClientCallGrant {
  tenantId: string;
  agentId: string;
}

/** identity → {tenantId, agentId}, in this process's memory, each until its token expires. */
export class TwilioClientIdentities {
  private readonly grants = new Map<string, ClientCallGrant & { expiresAt: number }>();

  constructor(private readonly ttlMs = VOICE_TOKEN_TTL_SECONDS * 1000 + IDENTITY_GRACE_MS) {}

  /** A new identity allowed to call `agentId` of `tenantId`. */
  issue(grant: ClientCallGrant, now = Date.now()): string {
    this.forgetExpired(now);
    const identity = `web-${randomBytes(16).toString('hex')}`;
    this.grants.set(identity, { tenantId: grant.tenantId, agentId: grant.agentId, expiresAt: now + this.ttlMs });
    return identity;
  }

  /** What an unexpired identity was issued for; undefined for anything else. */
  resolve(identity: string, now = Date.now()): ClientCallGrant | undefined {
    const grant = this.grants.get(identity);
    if (!grant || grant.expiresAt < now) return undefined;
    return { tenantId: grant.tenantId, agentId: grant.agentId };
  }

  get size(): number {
    return this.grants.size;
  }

  private forgetExpired(now: number): void {
    for (const [identity, grant] of this.grants) if (grant.expiresAt < now) this.grants.delete(identity);
  }
}

type VoiceSdkConfig = NonNullable<NonNullable<Config['twilio']>['voiceSdk']>;

/** A Twilio Access Token (JWT, HS256, signed with the API key secret) that can only place calls through the TwiML App. */
export function voiceAccessToken(accountSid: string, sdk: VoiceSdkConfig, identity: string, ttlSeconds = VOICE_TOKEN_TTL_SECONDS): string {
  const token = new twilio.jwt.AccessToken(accountSid, sdk.apiKeySid, sdk.apiKeySecret, { identity, ttl: ttlSeconds });
  token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ outgoingApplicationSid: sdk.twimlAppSid, incomingAllow: false }));
  return token.toJwt();
}

/** A voice webhook placed by a Voice SDK client (`From=client:<identity>`) rather than a phone. */
export function isClientCall(body: unknown): boolean {
  const from = (body as Record<string, unknown> | undefined)?.From;
  return typeof from === 'string' && from.startsWith(CLIENT_PREFIX);
}

export const clientCallParams = z.object({
  CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, { message: 'must be a Twilio call SID' }),
  From: z
    .string()
    .regex(/^client:[A-Za-z0-9_.@-]{1,128}$/, { message: 'must be client:<identity>' })
    .transform((from) => from.slice(CLIENT_PREFIX.length)),
  /** The agent the page asked for (`device.connect({ params: { agentId } })`): checked, never followed. */
  agentId: z.string().max(64).optional(),
});
