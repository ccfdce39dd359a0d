import type { ToolSpec } from './llm/language-model.js';

/** The actions the model may take on the call; the server executes them (brain/llm-brain.ts). */
export const brainTools: ToolSpec[] = [
  {
    name: 'transfer_call',
    description: "Transfer the caller to a person at the business (the agent's transfer number).",
    parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why the caller is being transferred' } }, required: [], additionalProperties: false },
  },
  {
    name: 'take_message',
    description: 'Save a message from the caller for the business to call back.',
    parameters: {
      type: 'object',
      properties: {
        name: { type: 'string', description: "The caller's name" },
        callbackNumber: { type: 'string', description: 'The number to call back' },
        message: { type: 'string', description: 'The message, in a sentence or two' },
      },
      required: ['message'],
      additionalProperties: false,
    },
  },
  {
    name: 'end_call',
    description: 'Hang up after saying goodbye, when the caller is done.',
    parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: [], additionalProperties: false },
  },
  {
    name: 'lookup_knowledge',
    description: "Search the business's knowledge base for facts about a topic.",
    parameters: { type: 'object', properties: { query: { type: 'string', description: 'What to look up, in a few words' } }, required: ['query'], additionalProperties: false },
  },
];
