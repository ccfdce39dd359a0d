import { Worker, type Transferable } from 'node:worker_threads';

/**
 * One model on its own worker thread, spoken to with numbered requests. Model inference is
 * seconds of synchronous-looking CPU work; on the main thread it would stall every call's 20 ms
 * frame pacing. The worker's source is plain JavaScript run with `eval: true`, so it behaves the
 * same from src/ (tests, tsx) and dist/.
 *
 * Protocol, worker → host: `{type:'ready', info}` once loaded (or `{type:'fatal', message}`),
 * then per request `{type:'chunk', id, data}`* and `{type:'done', id, data}` or
 * `{type:'error', id, message}`. Host → worker: `{type:'run', id, payload}`, `{type:'cancel', id}`.
 * A crashed worker fails every request in flight and is started again on the next request.
 */
export interface InferenceWorkerOptions {
  name: string;
  source: string;
  workerData: Record<string, unknown>;
  /** Loading (including a warm-up run) that takes longer than this fails. */
  loadTimeoutMs?: number;
}

interface Pending {
  onChunk?: (data: unknown) => void;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
}

type WorkerMessage =
  | { type: 'ready'; info?: unknown }
  | { type: 'fatal'; message: string }
  | { type: 'chunk'; id: number; data: unknown }
  | { type: 'done'; id: number; data: unknown }
  | { type: 'error'; id: number; message: string };

export class InferenceWorker {
  private worker: Worker | undefined;
  private ready: Promise<unknown> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** How long the last successful load took, for /readyz and the benchmark. */
  loadMs: number | undefined;

  constructor(private readonly options: InferenceWorkerOptions) {}

  /** Starts the worker if needed and waits for the model; rejects with the worker's own reason. */
  start(): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`${this.options.name} is closed`));
    this.ready ??= this.spawn();
    return this.ready;
  }

  /** One request; `onChunk` sees streamed partial results. Aborting asks the worker to stop early. */
  async request<T>(payload: unknown, options: { signal: AbortSignal; transfer?: Transferable[]; onChunk?: (data: unknown) => void }): Promise<T> {
    await this.start();
    options.signal.throwIfAborted();
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ type: 'cancel', id });
        this.pending.delete(id);
        reject(options.signal.reason as Error);
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      const done = () => options.signal.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        onChunk: options.onChunk,
        resolve: (data) => {
          done();
          resolve(data as T);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      worker.postMessage({ type: 'run', id, payload }, options.transfer ?? []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error(`${this.options.name} closed`));
    // Letting the model finish loading first: terminating onnxruntime mid-run can abort the process.
    await this.ready?.catch(() => undefined);
    await worker?.terminate();
  }

  private spawn(): Promise<unknown> {
    const started = performance.now();
    const worker = new Worker(this.options.source, { eval: true, workerData: this.options.workerData });
    this.worker = worker;
    const ready = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.options.name} did not load within ${this.options.loadTimeoutMs} ms`));
        void worker.terminate();
      }, this.options.loadTimeoutMs ?? 120_000);
      timer.unref();
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            clearTimeout(timer);
            this.loadMs = performance.now() - started;
            resolve(message.info);
            return;
          case 'fatal':
            // Kept as the answer to every later request: reloading a model that is not there is pointless.
            clearTimeout(timer);
            worker.removeAllListeners('exit');
            void worker.terminate();
            reject(new Error(`${this.options.name} failed to load: ${message.message}`));
            return;
          case 'chunk':
            this.pending.get(message.id)?.onChunk?.(message.data);
            return;
          case 'done':
            this.pending.get(message.id)?.resolve(message.data);
            this.pending.delete(message.id);
            return;
          case 'error':
            this.pending.get(message.id)?.reject(new Error(`${this.options.name}: ${message.message}`));
            this.pending.delete(message.id);
            return;
        }
      });
      const crashed = (error: Error) => {
        clearTimeout(timer);
        reject(error);
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined; // the next request starts a fresh worker
        }
        this.failAll(error);
      };
      worker.on('error', (error) => crashed(new Error(`${this.options.name} worker crashed: ${error.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed) crashed(new Error(`${this.options.name} worker exited (code ${code})`));
      });
    });
    // A failed load is not retried by every request: callers see the same rejection until restart.
    ready.catch(() => undefined);
    return ready;
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
