import type { CallRow, CallTurnRow } from '../../db/queries/calls.js';

export type CallOutcome = 'transferred' | 'message_taken' | 'resolved' | 'caller_hung_up' | 'no_response' | 'time_limit' | 'no_conversation';

/**
 * An extractive summary of a finished call: what the caller first asked (their intent, in their
 * words), what the agent last said, and how the call ended. Deterministic and free; a model can
 * write a better one later from the same transcript.
 */
export function summarizeCall(call: CallRow, turns: CallTurnRow[], messagesTaken: number): { summary: string; intent: string | null; outcome: CallOutcome } {
  const spoken = (t: CallTurnRow) => !t.text.startsWith('(pressed');
  const callerTurns = turns.filter((t) => t.speaker === 'caller' && spoken(t));
  const lastAgent = [...turns].reverse().find((t) => t.speaker === 'agent' && t.text);
  const intent = callerTurns[0] ? clip(callerTurns[0].text, 160) : null;
  const outcome: CallOutcome =
    call.endReason === 'transferred'
      ? 'transferred'
      : messagesTaken > 0
        ? 'message_taken'
        : call.endReason === 'max_duration'
          ? 'time_limit'
          : call.endReason === 'silence'
            ? 'no_response'
            : callerTurns.length === 0
              ? 'no_conversation'
              : call.endReason === 'agent_ended'
                ? 'resolved'
                : 'caller_hung_up';
  const parts = [`${callerTurns.length} caller turn${callerTurns.length === 1 ? '' : 's'}.`];
  if (intent) parts.push(`Caller asked: "${intent}".`);
  if (lastAgent) parts.push(`Agent last said: "${clip(lastAgent.text, 200)}".`);
  parts.push(`Outcome: ${outcome.replace(/_/g, ' ')}.`);
  return { summary: parts.join(' '), intent, outcome };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
