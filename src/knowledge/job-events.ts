import { EventEmitter } from 'node:events';
import type { JobRow } from '../db/queries/jobs.js';

/** Live job updates inside this process, for server-sent events; the jobs table stays the record. */
export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open dashboard tab watching a job.
    this.emitter.setMaxListeners(1000);
  }

  publish(job: JobRow): void {
    this.emitter.emit(job.id, job);
  }

  subscribe(jobId: string, listener: (job: JobRow) => void): () => void {
    this.emitter.on(jobId, listener);
    return () => this.emitter.off(jobId, listener);
  }
}
