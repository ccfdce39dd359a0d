import type { Logger } from '../../observability/logger.js';
import { downloadRepoFiles } from '../models/hf-download.js';
import { modelStatus, type CatalogEntry } from '../models/model-catalog.js';

/**
 * One local model's life: missing → (downloading →) loading → ready, or failed. Calls never wait
 * on it: while it is not ready the engine chains skip it and the next engine speaks or listens,
 * and it joins in once loaded. /readyz reports the state.
 */
export type LocalModelState = 'missing' | 'downloading' | 'loading' | 'ready' | 'failed';

export interface LoadableEngine {
  load(): Promise<void>;
  close(): Promise<void>;
  readonly loadMs?: number;
}

export interface DownloadSettings {
  endpoint: string;
  token?: string;
}

export class LocalModel<E extends LoadableEngine> {
  state: LocalModelState = 'missing';
  detail = '';
  private readonly abort = new AbortController();
  private settled: Promise<void> = Promise.resolve();

  constructor(
    readonly entry: CatalogEntry,
    readonly engine: E,
    private readonly modelsDir: string,
    private readonly log: Logger,
  ) {}

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** What is missing on disk (empty when complete). */
  missingFiles(): string[] {
    return modelStatus(this.modelsDir, this.entry).missing;
  }

  /** Loads from disk when the files are there; else downloads first when `download` is given. Never throws. */
  start(download?: DownloadSettings): Promise<void> {
    this.settled = this.run(download);
    return this.settled;
  }

  /** Resolves when the current start() has reached ready, failed or missing. */
  whenSettled(): Promise<void> {
    return this.settled;
  }

  async close(): Promise<void> {
    this.abort.abort(new Error('server shutting down'));
    await this.settled;
    await this.engine.close();
  }

  private async run(download: DownloadSettings | undefined): Promise<void> {
    const log = this.log.child({ model: this.entry.name, repo: this.entry.repo });
    try {
      const missing = this.missingFiles();
      if (missing.length > 0) {
        if (!download) {
          this.state = 'missing';
          this.detail = `missing ${missing.join(', ')}; run npm run models`;
          return;
        }
        this.state = 'downloading';
        this.detail = `downloading from ${download.endpoint}`;
        log.info({ event: 'model.download_started', files: missing.length }, `downloading ${this.entry.name}`);
        let lastTenth = -1;
        await downloadRepoFiles({
          repo: this.entry.repo,
          revision: this.entry.revision,
          files: this.entry.files,
          modelsDir: this.modelsDir,
          endpoint: download.endpoint,
          token: download.token,
          signal: this.abort.signal,
          onProgress: (p) => {
            const tenth = p.total ? Math.floor((p.bytes / p.total) * 10) : -1;
            if (tenth > lastTenth) {
              lastTenth = tenth;
              this.detail = `downloading ${tenth * 10}%`;
              log.info({ event: 'model.download_progress', percent: tenth * 10, bytes: p.bytes }, `${this.entry.name}: ${tenth * 10}%`);
            }
          },
        });
      }
      if (this.abort.signal.aborted) return;
      this.state = 'loading';
      this.detail = 'loading';
      await this.engine.load();
      this.state = 'ready';
      this.detail = `loaded in ${Math.round(this.engine.loadMs ?? 0)} ms`;
      log.info({ event: 'model.ready', loadMs: Math.round(this.engine.loadMs ?? 0) }, `${this.entry.name} ready`);
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.state = 'failed';
      this.detail = error instanceof Error ? error.message : String(error);
      log.warn({ event: 'model.failed', err: error }, `${this.entry.name} unavailable: ${this.detail}`);
    }
  }
}
