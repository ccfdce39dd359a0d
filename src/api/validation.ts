import type { z } from 'zod';
import { ApiError } from './errors.js';

/** Parses a body or query with a zod schema; a failure names each bad field in a 400. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const message = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw new ApiError(400, 'validation_failed', message, details);
}
