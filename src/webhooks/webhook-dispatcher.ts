import { createHmac } from 'node:crypto';
import type { DatabaseHandle } from '../db/database.js';
import { webhookDispatchQueries } from '../db/queries/webhook-deliveries.js';
import { AddressGuard } from '../knowledge/crawler/address-guard.js';
import type { Logger } from '../observability/logger.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { webhookSecretContext } from '../secrets/tenant-secrets.js';

const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

/** `v1=` HMAC-SHA256 of `<timestamp>.<body>` with the tenant's secret: receivers recompute and compare. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Backoff: 5 s, 10 s, 20 s … capped at an hour, with jitter so a recovering receiver is not stampeded. */
export function nextAttemptDelayMs(attempts: number, baseMs = 5000): number {
  const base = Math.min(3_600_000, baseMs * 2 ** (attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Delivers the outbox at least once: every second, due deliveries are POSTed; a 2xx marks them
 * delivered, anything else schedules a retry, and after MAX_ATTEMPTS they are dead (visible in
 * the API, retryable by hand). Receivers must tolerate duplicates (X-Webhook-Id is stable).
 */
export class WebhookDispatcher {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly queries;
  private readonly guard: AddressGuard;

  constructor(
    database: DatabaseHandle,
    private readonly secrets: SecretBox,
    private readonly log: Logger,
    allowPrivate: boolean,
    private readonly intervalMs = 1000,
    private readonly retryBaseMs = 5000,
  ) {
    this.queries = webhookDispatchQueries(database.db);
    this.guard = new AddressGuard({ allowPrivate });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const { delivery, url, sealedSecret } of this.queries.due(new Date(), 20)) {
        const attempts = delivery.attempts + 1;
        try {
          if (!url || !sealedSecret) throw new Error('the tenant has no webhook configured any more');
          // A secret that does not decrypt (altered in the database) is refused: nothing is sent unsigned.
          const secret = this.secrets.open(sealedSecret, webhookSecretContext(delivery.tenantId));
          await this.post(url, secret, delivery.id, delivery.event, delivery.payload);
          this.queries.delivered(delivery.id);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const dead = attempts >= MAX_ATTEMPTS;
          this.queries.failed(delivery.id, attempts, message, dead ? null : new Date(Date.now() + nextAttemptDelayMs(attempts, this.retryBaseMs)));
          this.log.warn({ event: 'webhook.failed', deliveryId: delivery.id, tenantId: delivery.tenantId, attempts, dead, error: message }, 'webhook delivery failed');
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async post(url: string, secret: string, id: string, event: string, payload: Record<string, unknown>): Promise<void> {
    const target = new URL(url);
    // The receiver is the tenant's choice: it must not be a way into our own network.
    await this.guard.resolve(target.hostname.replace(/^\[|\]$/g, ''));
    const body = JSON.stringify({ id, event, data: payload });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(target, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { 'content-type': 'application/json', 'x-webhook-id': id, 'x-webhook-event': event, 'x-webhook-timestamp': timestamp, 'x-webhook-signature': signWebhook(secret, timestamp, body) },
      body,
    });
    await res.body?.cancel();
    if (res.status < 200 || res.status >= 300) throw new Error(`receiver answered ${res.status}`);
  }
}
