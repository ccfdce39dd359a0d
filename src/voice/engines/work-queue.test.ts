import { describe, expect, it } from 'vitest';
import { QueueFullError, WorkQueue } from './work-queue.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('a bounded work queue', () => {
  it('runs one job at a time in arrival order and reports depth and wait', async () => {
    const depths: number[] = [];
    const waits: number[] = [];
    const queue = new WorkQueue('stt', { concurrency: 1, maxWaiting: 4, observer: { depth: (n) => depths.push(n), waited: (s) => waits.push(s) } });
    const order: string[] = [];
    const gate = deferred();
    const signal = new AbortController().signal;
    const a = queue.run(async () => (await gate.promise, order.push('a')), signal);
    const b = queue.run(async () => order.push('b'), signal);
    const c = queue.run(async () => order.push('c'), signal);
    expect(queue.depth).toBe(2);
    gate.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(depths).toEqual([1, 2, 1, 0]);
    expect(waits).toHaveLength(3);
    expect(queue.depth).toBe(0);
  });

  it('refuses work beyond the bound at once instead of making every caller wait', async () => {
    const queue = new WorkQueue('stt', { concurrency: 1, maxWaiting: 1 });
    const gate = deferred();
    const signal = new AbortController().signal;
    const running = queue.run(() => gate.promise, signal);
    const waiting = queue.run(async () => 'second', signal);
    await expect(queue.run(async () => 'third', signal)).rejects.toBeInstanceOf(QueueFullError);
    gate.resolve();
    await running;
    expect(await waiting).toBe('second');
  });

  it('drops a waiting job whose caller gave up, and the next one takes its place', async () => {
    const queue = new WorkQueue('stt', { concurrency: 1, maxWaiting: 2 });
    const gate = deferred();
    const never = new AbortController().signal;
    const running = queue.run(() => gate.promise, never);
    const controller = new AbortController();
    let ranAbandoned = false;
    const abandoned = queue.run(async () => (ranAbandoned = true), controller.signal);
    const next = queue.run(async () => 'next', never);
    controller.abort(new Error('barge-in'));
    await expect(abandoned).rejects.toThrow('barge-in');
    expect(queue.depth).toBe(1);
    gate.resolve();
    await running;
    expect(await next).toBe('next');
    expect(ranAbandoned).toBe(false);
  });
});
