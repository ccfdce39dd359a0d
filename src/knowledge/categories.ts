import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { knowledgeDir } from '../paths.js';

/** knowledge/categories.json is the single source of the 18 categories: validation, prompts and the UI read it. */
const categoriesSchema = z
  .array(
    z.object({
      key: z.string().regex(/^[a-z_]+$/),
      title: z.string().min(1),
      description: z.string().min(1),
      examples: z.array(z.string().min(1)).min(1),
    }),
  )
  .length(18)
  .refine((list) => new Set(list.map((c) => c.key)).size === list.length, { message: 'category keys must be unique' });

export type Category = z.infer<typeof categoriesSchema>[number];

export const categories: readonly Category[] = Object.freeze(
  categoriesSchema.parse(JSON.parse(readFileSync(join(knowledgeDir, 'categories.json'), 'utf8'))),
);

export const categoryKeys: readonly string[] = categories.map((c) => c.key);

export function isCategoryKey(value: string): boolean {
  return categoryKeys.includes(value);
}
