import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface CallTokenClaims {
  callId: string;
  tenantId: string;
  agentId: string;
  callSid: string;
}

/**
 * The voice webhook hands the media socket a signed, short-lived, single-use token in a
 * `<Parameter>` (Twilio drops query strings from stream URLs). The key lives only in this
 * process: a token outlives neither a restart nor its ttl, which is seconds.
 */
export class CallTokens {
  private readonly key = randomBytes(32);
  private readonly used = new Map<string, number>();

  constructor(private readonly ttlMs = 60_000) {}

  issue(claims: CallTokenClaims, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ ...claims, exp: now + this.ttlMs, nonce: randomBytes(8).toString('hex') })).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a valid, unexpired, not yet used token; undefined otherwise. */
  redeem(token: string, now = Date.now()): CallTokenClaims | undefined {
    const [body, signature] = token.split('.');
    if (!body || !signature) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let claims: CallTokenClaims & { exp: number };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof claims.exp !== 'number' || claims.exp < now || this.used.has(body)) return undefined;
    this.forgetExpired(now);
    this.used.set(body, claims.exp);
    return { callId: claims.callId, tenantId: claims.tenantId, agentId: claims.agentId, callSid: claims.callSid };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  private forgetExpired(now: number): void {
    for (const [body, exp] of this.used) if (exp < now) this.used.delete(body);
  }
}
