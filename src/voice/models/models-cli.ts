/**
 * Downloads the local voice models (Whisper for speech-to-text, Kokoro for text-to-speech) into
 * DATA_DIR/models, resuming interrupted downloads and skipping complete files.
 *
 *   npm run models -- [--whisper base.en|tiny.en] [--kokoro] [--endpoint URL] [--dir DIR]
 *
 * With neither --whisper nor --kokoro, both are fetched (Whisper in WHISPER_MODEL's size, default
 * base.en). The endpoint defaults to HF_ENDPOINT or https://huggingface.co (a mirror with the same
 * layout works); HF_TOKEN is sent for gated repos. DATA_DIR, MODELS_DIR, WHISPER_MODEL, HF_ENDPOINT
 * and HF_TOKEN may also come from .env, as for the server. It lives in src/ so that it is built
 * into dist/ and runs where only production dependencies are installed (the Docker image).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../../config.js';
import { DEFAULT_HF_ENDPOINT, downloadRepoFiles, type DownloadProgress } from './hf-download.js';
import { DEFAULT_WHISPER_SIZE, kokoroEntry, whisperEntry, WHISPER_SIZES, type CatalogEntry, type WhisperSize } from './model-catalog.js';

const usage = 'usage: npm run models -- [--whisper base.en|tiny.en] [--kokoro] [--endpoint URL] [--dir DATA_DIR/models]';

function parse(): { entries: CatalogEntry[]; endpoint: string; dir: string; token: string | undefined } {
  const env = readEnvironment();
  const { values } = parseArgs({
    options: {
      whisper: { type: 'string' },
      kokoro: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values.whisper !== undefined && !WHISPER_SIZES.includes(values.whisper as WhisperSize)) {
    throw new Error(`--whisper must be one of ${WHISPER_SIZES.join(', ')}\n${usage}`);
  }
  const both = values.whisper === undefined && !values.kokoro;
  const entries: CatalogEntry[] = [];
  if (values.whisper !== undefined || both) entries.push(whisperEntry((values.whisper ?? env.WHISPER_MODEL ?? DEFAULT_WHISPER_SIZE) as WhisperSize));
  if (values.kokoro || both) entries.push(kokoroEntry());
  const endpoint = values.endpoint ?? env.HF_ENDPOINT ?? DEFAULT_HF_ENDPOINT;
  if (!/^https?:\/\//.test(endpoint)) throw new Error(`--endpoint must be an http(s) URL, not ${endpoint}`);
  const dir = resolve(values.dir ?? env.MODELS_DIR ?? resolve(env.DATA_DIR ?? 'data', 'models'));
  return { entries, endpoint, dir, token: env.HF_TOKEN || undefined };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** A one-line bar redrawn in place on a terminal; plain lines (start/done per file) otherwise. */
function progressPrinter(label: string): (p: DownloadProgress) => void {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return (p) => {
    const head = `${label} [${p.fileIndex + 1}/${p.fileCount}] ${p.file}`;
    if (p.event === 'skip') return void process.stderr.write(`${tty ? '\r\x1b[K' : ''}${head}: already complete\n`);
    if (p.event === 'done') return void process.stderr.write(`${tty ? '\r\x1b[K' : ''}${head}: ${mb(p.fileBytes)} done\n`);
    if (!tty) {
      if (p.event === 'start') process.stderr.write(`${head}: ${p.fileTotal === undefined ? 'size unknown' : mb(p.fileTotal)}${p.fileBytes > 0 ? `, resuming at ${mb(p.fileBytes)}` : ''}\n`);
      return;
    }
    const now = Date.now();
    if (p.event === 'progress' && now - last < 100) return; // redraw at most 10 times a second
    last = now;
    const width = 30;
    const frac = p.fileTotal ? Math.min(1, p.fileBytes / p.fileTotal) : 0;
    const bar = p.fileTotal ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}%` : '';
    const size = p.fileTotal ? `${mb(p.fileBytes)} / ${mb(p.fileTotal)}` : mb(p.fileBytes);
    const cols = process.stderr.columns ?? 100;
    process.stderr.write(`\r\x1b[K${`${head} ${bar} ${size}`.slice(0, cols - 1)}`);
  };
}

async function main(): Promise<void> {
  const { entries, endpoint, dir, token } = parse();
  const ac = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted; run again to resume\n');
    ac.abort();
  });
  process.stderr.write(`Downloading into ${dir} from ${endpoint}\n`);
  for (const entry of entries) {
    await downloadRepoFiles({
      repo: entry.repo,
      revision: entry.revision,
      files: entry.files,
      modelsDir: dir,
      endpoint,
      token,
      signal: ac.signal,
      onProgress: progressPrinter(entry.name),
    });
  }
  process.stderr.write(`All models are in ${dir}\n`);
}

main().catch((err: unknown) => {
  const aborted = err instanceof Error && err.name === 'AbortError';
  if (!aborted) process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(aborted ? 130 : 1);
});
