import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per server instance (tests run several servers in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    callsActive: new Gauge({
      name: 'calls_active',
      help: 'Calls in progress',
      registers: [registry],
    }),
    callsTotal: new Counter({
      name: 'calls_total',
      help: 'Calls handled, by how they ended',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    sttQueueDepth: new Gauge({
      name: 'stt_queue_depth',
      help: 'Utterances waiting for the local speech-to-text engine',
      registers: [registry],
    }),
    sttQueueWait: new Histogram({
      name: 'stt_queue_wait_seconds',
      help: 'Time an utterance waited for the local speech-to-text engine',
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    engineFallbacks: new Counter({
      name: 'voice_engine_fallbacks_total',
      help: 'Utterances or sentences handed to the next engine because one failed, by kind and engine',
      labelNames: ['kind', 'engine'] as const,
      registers: [registry],
    }),
    callWritesPending: new Gauge({
      name: 'call_writes_pending',
      help: 'Call turns and status writes queued because the database was locked or full',
      registers: [registry],
    }),
    callWritesFailed: new Counter({
      name: 'call_writes_failed_total',
      help: 'Failed attempts to write call data, by reason (busy, locked, full, ioerr: retried; other: dropped)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    callWriteDuration: new Histogram({
      name: 'call_write_duration_seconds',
      help: 'Time the main thread spent in one attempt to write call data (success or not)',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    callWritesDropped: new Counter({
      name: 'call_writes_dropped_total',
      help: 'Call data writes given up (outbox bound, refused by the database, or still unwritten at give-up time)',
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'http_rate_limited_total',
      help: 'Requests refused with 429',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
