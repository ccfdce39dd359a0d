import type { Brain, BrainAction, BrainContext } from './brain.js';

const GOODBYE = /\b(bye|goodbye|that'?s all|hang up)\b/i;
const HUMAN = /\b(human|person|someone|representative|operator|receptionist|real people)\b/i;

/**
 * The placeholder brain until the grounded one lands: greets, repeats back what it heard (so a
 * caller can hear that turn-taking works), transfers on request and says goodbye.
 */
export class EchoBrain implements Brain {
  readonly name = 'echo';

  greeting({ agent }: BrainContext): string {
    return agent.greeting?.trim() || `Hello, thanks for calling ${agent.name}. How can I help you today?`;
  }

  async *respond(callerText: string, { agent }: BrainContext, signal: AbortSignal): AsyncIterable<BrainAction> {
    if (signal.aborted) return;
    if (GOODBYE.test(callerText)) {
      yield { type: 'say', text: 'Thanks for calling. Goodbye!' };
      yield { type: 'hang-up', reason: 'caller said goodbye' };
      return;
    }
    if (HUMAN.test(callerText)) {
      if (agent.transferNumber) {
        yield { type: 'say', text: 'Sure, let me connect you with someone now.' };
        yield { type: 'transfer', reason: 'caller asked for a person' };
      } else {
        yield { type: 'say', text: "I'm sorry, there's nobody available to take the call right now." };
        yield { type: 'say', text: 'Is there anything else I can help with?' };
      }
      return;
    }
    yield { type: 'say', text: `You said: ${callerText.trim()}` };
    if (signal.aborted) return;
    yield { type: 'say', text: 'What else can I help you with?' };
  }
}
