import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KnowledgeEntryRow } from '../db/queries/knowledge.js';
import type { Logger } from '../observability/logger.js';
import { projectRoot } from '../paths.js';
import type { Brain, BrainAction, BrainContext, ConversationTurn } from './brain.js';
import { brainTools } from './brain-tools.js';
import type { ChatMessage, LanguageModel, LlmEvent, ToolCall } from './llm/language-model.js';
import { speakableChunks } from './llm/speakable-chunks.js';
import type { KnowledgeLookup } from './offline/knowledge-lookup.js';

const SYSTEM_TEMPLATE = readFileSync(join(projectRoot, 'prompts', 'agent-system.md'), 'utf8');
/** Conversation memory kept in the prompt, in (estimated) tokens: the latest turns win. */
const HISTORY_TOKENS = 1500;
const MAX_TOOL_ROUNDS = 3;
const FALLBACK_LINE = "I'm sorry, I'm having trouble answering right now. I can take a message, or connect you with someone.";

export interface LlmBrainDeps {
  model: LanguageModel;
  lookup: KnowledgeLookup;
  agent: { name: string; greeting: string | null; instructions: string | null; transferNumber: string | null };
  takeMessage(input: { callerName?: string; callbackNumber?: string; message: string }): void;
  recordUsage(promptTokens: number, completionTokens: number): void;
  log: Logger;
}

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * The grounded brain: each caller turn retrieves the best knowledge entries (plus the business's
 * key facts) into the prompt, streams the model's answer sentence by sentence, and runs the
 * tools the model calls. It never leaves the caller in silence: a failing model yields a
 * fallback line.
 */
export class LlmBrain implements Brain {
  readonly name = 'llm';

  constructor(private readonly d: LlmBrainDeps) {}

  greeting(context: BrainContext): string {
    return context.agent.greeting?.trim() || `Hello, thanks for calling ${context.agent.name}. How can I help you today?`;
  }

  async *respond(callerText: string, context: BrainContext, signal: AbortSignal): AsyncIterable<BrainAction> {
    const grounding = this.ground(callerText);
    yield { type: 'sources', sources: grounding.map((e) => ({ id: e.id, title: e.title, sourceUrl: e.sourceUrl })) };
    // The caller's current words may already be the last turn of the history; say them once.
    const last = context.history.at(-1);
    const history = last?.speaker === 'caller' && last.text === callerText ? context.history.slice(0, -1) : context.history;
    const messages: ChatMessage[] = [{ role: 'system', content: this.systemPrompt(grounding) }, ...this.memory(history), { role: 'user', content: callerText }];
    let spoke = false;
    try {
      for (let round = 0; round < MAX_TOOL_ROUNDS && !signal.aborted; round++) {
        const calls: ToolCall[] = [];
        let text = '';
        const events = this.d.model.stream({ messages, tools: brainTools, maxTokens: 300, temperature: 0.3 }, signal);
        for await (const sentence of speakableChunks(this.textOf(events, calls, (t) => (text += t)))) {
          if (signal.aborted) return;
          spoke = true;
          yield { type: 'say', text: sentence };
        }
        if (calls.length === 0) return;
        messages.push({ role: 'assistant', content: text || null, toolCalls: calls });
        let final: BrainAction | undefined;
        for (const call of calls) {
          const { result, action } = this.runTool(call);
          messages.push({ role: 'tool', toolCallId: call.id, content: result });
          yield { type: 'tool', name: call.name, summary: result };
          final ??= action;
        }
        if (final) {
          if (!spoke) yield { type: 'say', text: final.type === 'transfer' ? 'Let me connect you now.' : 'Thanks for calling. Goodbye!' };
          yield final;
          return;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      this.d.log.error({ event: 'brain.llm_failed', err: error }, 'language model failed; using the fallback line');
      yield { type: 'say', text: FALLBACK_LINE };
    }
  }

  /** Text deltas out; tool calls and usage recorded on the side. */
  private async *textOf(events: AsyncIterable<LlmEvent>, calls: ToolCall[], onText: (t: string) => void): AsyncIterable<string> {
    for await (const event of events) {
      if (event.type === 'text') {
        onText(event.text);
        yield event.text;
      } else if (event.type === 'tool-call') calls.push(event.call);
      else if (event.type === 'usage') this.d.recordUsage(event.promptTokens, event.completionTokens);
    }
  }

  private runTool(call: ToolCall): { result: string; action?: BrainAction } {
    let args: Record<string, string> = {};
    try {
      args = JSON.parse(call.arguments || '{}');
    } catch {
      return { result: 'Error: the arguments were not valid JSON.' };
    }
    this.d.log.info({ event: 'brain.tool', tool: call.name }, 'tool called');
    switch (call.name) {
      case 'transfer_call':
        if (!this.d.agent.transferNumber) return { result: 'There is no one to transfer to. Offer to take a message instead.' };
        return { result: 'Transferring.', action: { type: 'transfer', reason: args.reason } };
      case 'end_call':
        return { result: 'Ending the call.', action: { type: 'hang-up', reason: args.reason } };
      case 'take_message':
        if (!args.message) return { result: 'Error: the message is empty; ask the caller for it.' };
        this.d.takeMessage({ callerName: args.name, callbackNumber: args.callbackNumber, message: args.message });
        return { result: 'Message saved. Tell the caller it will be passed on.' };
      case 'lookup_knowledge': {
        const hits = this.d.lookup.search(args.query ?? '', 5);
        return { result: hits.length ? hits.map((h) => `${h.entry.title}: ${h.entry.content}`).join('\n') : 'Nothing found about that.' };
      }
      default:
        return { result: `Error: there is no tool named ${call.name}.` };
    }
  }

  /** The best entries for the question, plus the key facts every answer may need. */
  private ground(callerText: string): KnowledgeEntryRow[] {
    return this.d.lookup.search(callerText, 6).map((h) => h.entry);
  }

  private keyFacts(): KnowledgeEntryRow[] {
    const wanted = new Set(['name', 'hours', 'phone', 'address']);
    return ['about', 'hours', 'contact', 'location'].flatMap((c) => this.d.lookup.byCategory(c)).filter((e) => e.factKey && wanted.has(e.factKey));
  }

  private systemPrompt(grounding: KnowledgeEntryRow[]): string {
    const line = (e: KnowledgeEntryRow) => `- ${e.title}: ${e.content}${e.conflict ? ' (conflicting: the website disagrees with itself here)' : ''}`;
    const { agent } = this.d;
    const values: Record<string, string> = {
      agent_name: agent.name,
      business_name: agent.name,
      today: new Date().toLocaleDateString('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }),
      business_facts: this.keyFacts().map(line).join('\n') || '- (none on file)',
      knowledge: grounding.map(line).join('\n') || '- (nothing relevant found)',
      transfer_offer: agent.transferNumber ? ' (use transfer_call)' : '',
      transfer_note: agent.transferNumber ? '' : ' (no transfer number is set: offer to take a message instead)',
      instructions: agent.instructions?.trim() ? `## Instructions from the business\n${agent.instructions.trim()}` : '',
    };
    return SYSTEM_TEMPLATE.replace(/\{\{(\w+)\}\}/g, (m, name: string) => values[name] ?? m).trim();
  }

  /** The latest turns that fit the memory budget, oldest first. */
  private memory(history: readonly ConversationTurn[]): ChatMessage[] {
    const kept: ChatMessage[] = [];
    let budget = HISTORY_TOKENS;
    for (let i = history.length - 1; i >= 0; i--) {
      const turn = history[i]!;
      budget -= estimateTokens(turn.text);
      if (budget < 0) break;
      kept.unshift({ role: turn.speaker === 'caller' ? 'user' : 'assistant', content: turn.text });
    }
    return kept;
  }
}
