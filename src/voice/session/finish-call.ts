import type { TenantScope } from '../../db/tenant-scope.js';
import { summarizeCall } from './call-summary.js';

/**
 * After the last frame: the call's summary, intent and outcome, and its `call.ended` webhook
 * event. The caller owns the transaction (the call recorder queues this behind the call's last
 * turns and commits it with them, see call-recorder.ts), so the outbox row exists exactly when
 * the call is recorded as ended and the event is delivered at least once, even across a crash.
 * Throws.
 */
export function writeCallSummary(scope: TenantScope, callId: string): void {
  const call = scope.calls.get(callId);
  if (!call) return;
  const turns = scope.calls.turns(callId);
  const { summary, intent, outcome } = summarizeCall(call, turns, scope.messages.countForCall(callId));
  const endedAt = call.endedAt ?? new Date();
  const durationSeconds = call.durationSeconds ?? Math.round((endedAt.getTime() - call.startedAt.getTime()) / 1000);
  scope.calls.update(callId, { summary, intent, outcome, endedAt, durationSeconds });
  scope.webhooks.enqueue('call.ended', {
    callId,
    agentId: call.agentId,
    channel: call.channel,
    from: call.fromNumber,
    to: call.toNumber,
    startedAt: call.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationSeconds,
    endReason: call.endReason,
    summary,
    intent,
    outcome,
    turns: turns.map((t) => ({ speaker: t.speaker, text: t.text, interrupted: t.interrupted })),
  });
}
