/** What the agent does next: say something, or act on the call. */
export type BrainAction =
  | { type: 'say'; text: string }
  | { type: 'transfer'; reason?: string }
  | { type: 'hang-up'; reason?: string }
  /** A tool the brain ran (recorded in the call's transcript as a system line). */
  | { type: 'tool'; name: string; summary: string }
  /** The knowledge the answer was grounded on (shown by the chat API; ignored on the phone). */
  | { type: 'sources'; sources: { id: string; title: string; sourceUrl: string | null }[] };

export interface ConversationTurn {
  speaker: 'caller' | 'agent';
  text: string;
}

export interface BrainContext {
  callId: string;
  tenantId: string;
  agent: { id: string; name: string; greeting: string | null; transferNumber: string | null };
  history: readonly ConversationTurn[];
}

/**
 * The agent's mind. `respond` streams actions; sentences come one `say` at a time so speech can
 * start before the whole answer exists. It stops quietly when `signal` aborts (barge-in).
 */
export interface Brain {
  readonly name: string;
  greeting(context: BrainContext): string;
  respond(callerText: string, context: BrainContext, signal: AbortSignal): AsyncIterable<BrainAction>;
}
