import type { Logger } from '../../observability/logger.js';
import type { CallTurnInput } from '../../db/queries/calls.js';
import type { TenantScope } from '../../db/tenant-scope.js';

export interface TurnLatency {
  endpointingMs?: number;
  sttMs?: number;
  llmFirstTokenMs?: number;
  ttsFirstAudioMs?: number;
  responseMs?: number;
}

/**
 * Writes the call's turns as they happen. A failed write is logged and the call goes on: the
 * caller must never hear a database problem.
 */
export class CallRecorder {
  private seq = 0;

  constructor(
    private readonly scope: TenantScope,
    readonly callId: string,
    private readonly log: Logger,
  ) {}

  turn(speaker: 'caller' | 'agent' | 'system', text: string, extra: Partial<CallTurnInput> & TurnLatency = {}): void {
    this.safely('turn', () => this.scope.calls.addTurn(this.callId, { seq: this.seq++, speaker, text, ...extra }));
  }

  update(patch: Parameters<TenantScope['calls']['update']>[1]): void {
    this.safely('call', () => this.scope.calls.update(this.callId, patch));
  }

  private safely(what: string, write: () => unknown): void {
    try {
      write();
    } catch (error) {
      this.log.error({ err: error, event: 'call.write_failed', what }, 'could not record call data');
    }
  }
}
