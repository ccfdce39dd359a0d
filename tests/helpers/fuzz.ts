/**
 * A tiny seeded generator for property/fuzz-style tests, no dependency.
 *
 * Each run draws a fresh seed (or takes FUZZ_SEED from the environment), and `withSeed` adds the
 * seed to any failure, so a failing run is replayed exactly with
 * `FUZZ_SEED=<seed> npx vitest run <file>`.
 */
import { randomInt } from 'node:crypto';
import { waitTimeoutScale } from '../../scripts/lib/simulated-call.js';

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  bool(pTrue?: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Several distinct-or-not picks. */
  some<T>(items: readonly T[], min: number, max: number): T[];
  shuffle<T>(items: T[]): T[];
  /** A string of `length` characters drawn from `alphabet` (a string or a list of pieces). */
  string(length: number, alphabet?: string | readonly string[]): string;
  bytes(length: number): Buffer;
  /** A random JSON value, at most `depth` levels deep. */
  json(depth?: number): unknown;
  /** A fresh generator for a sub-task, still determined by this one's seed. */
  fork(): Rng;
}

/** Printable ASCII. */
export const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
/** Pieces that tend to break parsers, queries and logs. */
export const NASTY = [
  '"', "'", '`', '\\', '/', '*', '-', '^', ':', '(', ')', '[', ']', '{', '}', '<', '>', '&', ';', '%', '+', '=', '?', '#', '|', '~',
  '\0', '\n', '\r', '\t', '\u2028', '\u2029', '\ufeff', '\u200b', '\u202e', '\ud800', '\udfff', '\uffff',
  'é', 'ß', 'İ', 'ǅ', '中文', '日本語', 'العربية', 'עברית', '🦜', '👩‍👩‍👧', 'e\u0301', 'Ⅻ', '①', '٣', '𝟘',
  ' OR ', ' AND ', ' NOT ', ' AND NOT ', ' NEAR(', ' NEAR/3 ', 'content:', 'title:', '{title content}:', '^', '*', '"*"',
  "'; DROP TABLE knowledge_entries; --", "' OR '1'='1", '--', '/*', '*/', 'NULL', 'null', 'undefined', '%00', '%s%s%n',
  '../', '..\\', '%2e%2e%2f', '${jndi:ldap://x}', '{{7*7}}', '__proto__', 'constructor', 'prototype',
];

const mulberry32 = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const rng: Rng = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    bool: (p = 0.5) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    some: (items, min, max) => Array.from({ length: rng.int(min, max) }, () => rng.pick(items)),
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
    string(length, alphabet = ASCII) {
      let out = '';
      while (out.length < length) out += typeof alphabet === 'string' ? alphabet[Math.floor(next() * alphabet.length)] : rng.pick(alphabet);
      return out;
    },
    bytes(length) {
      const buf = Buffer.alloc(length);
      for (let i = 0; i < length; i++) buf[i] = Math.floor(next() * 256);
      return buf;
    },
    json(depth = 3): unknown {
      const leaf = () =>
        rng.pick<() => unknown>([
          () => null,
          () => rng.bool(),
          () => rng.int(-1e6, 1e6),
          () => rng.pick([0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 0.1]),
          () => rng.string(rng.int(0, 12)),
          () => rng.string(rng.int(0, 6), NASTY),
        ])();
      if (depth <= 0 || rng.bool(0.4)) return leaf();
      if (rng.bool()) return Array.from({ length: rng.int(0, 4) }, () => rng.json(depth - 1));
      return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.bool(0.7) ? rng.string(rng.int(0, 8)) : rng.pick(NASTY), rng.json(depth - 1)]));
    },
    fork: () => createRng(Math.floor(next() * 2 ** 32)),
  };
  return rng;
}

/** FUZZ_SEED from the environment, else a fresh random seed. */
export function fuzzSeed(): number {
  const fromEnv = process.env.FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new Error(`FUZZ_SEED must be an integer in [0, 2^32): ${fromEnv}`);
    return n;
  }
  return randomInt(0, 2 ** 32 - 1);
}

/** Runs `body` with a seeded generator; a failure carries the seed and how to replay it. */
export async function withSeed<T>(label: string, body: (rng: Rng) => Promise<T> | T, seed = fuzzSeed()): Promise<T> {
  try {
    return await body(createRng(seed));
  } catch (error) {
    const note = `[fuzz] "${label}" failed with FUZZ_SEED=${seed}; replay with FUZZ_SEED=${seed} npx vitest run <this file>`;
    console.error(note);
    if (error instanceof Error) error.message = `${error.message}\n${note}`;
    throw error;
  }
}

/** Polls `predicate` until it holds, or throws after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs * waitTimeoutScale();
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
