import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PcmAudio } from '../audio/wav.js';
import type { TextToSpeech } from './text-to-speech.js';

/**
 * The embedded fallback voice: espeak-ng compiled to WASM (the `espeak-ng` package, a CLI with an
 * in-memory file system). Its work is synchronous CPU, measured here on 2 vCPUs at ~30 ms for a
 * 10-word sentence plus ~50–100 ms to start an instance, so it runs on a worker thread: on the
 * main thread it would stall every call's 20 ms frame pacing. The package exposes only the CLI's
 * `main`, and that cannot run twice in one instance (getopt's `optind` is never reset), so each
 * sentence gets a fresh instance; the worker makes the next one while the caller hears this one.
 */

export interface EspeakOptions {
  defaultVoice?: string; // for unknown voice ids
  /** Speaking rate in words per minute (espeak's `-s`, default 175). */
  wordsPerMinute?: number;
  threads?: number; // worker threads, each one sentence at a time
  /** A sentence that takes longer than this kills its worker (a WASM loop cannot be interrupted). */
  sentenceTimeoutMs?: number;
}

/** espeak-ng's native output rate. */
export const ESPEAK_SAMPLE_RATE = 22_050;
const SPEAKABLE = /[\p{L}\p{N}]/u;
const ABBREVIATION = /(?:^|\s)(?:mr|mrs|ms|dr|st|jr|sr|vs|etc|e\.g|i\.e|[a-z])\.$/i;

// The language files embedded in the WASM build (lang/**), lowercased; `-v` matches them by name.
const VOICES = new Set(
  ('af am an ar as az ba be bg bn bpy bs ca chr cmn cs cv cy da de el en en-gb en-029 en-gb-scotland ' +
    'en-gb-x-gbclan en-gb-x-gbcwmd en-gb-x-rp en-us en-us-nyc eo es es-419 et eu fa fi fr fr-be fr-ch ga gd ' +
    'gn grc gu hak haw he hi hr ht hu hy hyw ia id io is it ja jbo ka kk kl kn ko kok ku ky la lb lfn lt ltg ' +
    'lv mi mk ml mr ms mt mto my nb nci ne nl nog om or pa pap piqd pl pt pt-br py qdb qu quc qya ro ru ' +
    'ru-lv ru-cl sd shn si sjn sk sl smj sq sr sv sw ta te th tk tn tr tt ug uk ur uz vi yue').split(' '),
);
// Kokoro ids ("af_heart", "bm_george") lead with a language letter; an agent moved to espeak keeps its language.
const KOKORO_LANGUAGE: Record<string, string> = { a: 'en-us', b: 'en-gb', e: 'es', f: 'fr', h: 'hi', i: 'it', j: 'ja', p: 'pt-br', z: 'cmn' };

/** An agent's voice id → an espeak voice: exact, then Kokoro's prefix, then the base language; else the default. */
export function espeakVoice(id: string | undefined, fallback = 'en-us'): string {
  if (!id) return fallback;
  const kokoro = /^([a-z])[fm]_[a-z]+$/i.exec(id);
  if (kokoro) return KOKORO_LANGUAGE[kokoro[1]!.toLowerCase()] ?? fallback;
  const v = id.toLowerCase().replace(/_/g, '-').replace(/^espeak[:.-]/, '');
  if (VOICES.has(v)) return v;
  const base = v.split('-')[0]!;
  return v.includes('-') && base !== 'en' && VOICES.has(base) ? base : fallback;
}

/**
 * Sentences (and over-long clauses) to synthesize one by one, so the first audio comes early.
 * Control characters go; pieces with nothing to say ("...", "—") are dropped.
 */
export function splitSentences(text: string, maxChars = 240): string[] {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  const pieces: string[] = [];
  for (const paragraph of clean.split(/\n\s*\n|\r?\n/)) {
    let carry = '';
    for (const part of paragraph.split(/(?<=[.!?…。！？]["'”’)\]]*)\s+/u)) {
      carry = carry ? `${carry} ${part}` : part;
      if (!ABBREVIATION.test(carry)) {
        pieces.push(carry);
        carry = '';
      }
    }
    if (carry) pieces.push(carry);
  }
  const out: string[] = [];
  for (let piece of pieces.map((p) => p.replace(/\s+/g, ' ').trim())) {
    while (piece.length > maxChars) {
      const window = piece.slice(0, maxChars);
      const cut = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf(': '));
      const at = cut > maxChars / 3 ? cut + 1 : window.lastIndexOf(' ') > 0 ? window.lastIndexOf(' ') : maxChars;
      out.push(piece.slice(0, at).trim());
      piece = piece.slice(at).trim();
    }
    out.push(piece);
  }
  return out.filter((p) => SPEAKABLE.test(p));
}

// Plain JavaScript, run with `eval: true` so it works the same from src/ (tests, tsx) and dist/.
const WORKER_SOURCE = /* js */ `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
// The package is an assertions build: every failed mkdir while it unpacks its 445 data files
// captures a stack trace, which is most of its start-up. This thread has no other use for them.
Error.stackTraceLimit = 0;
const setup = (async () => {
  const { default: ESpeakNg } = await import(workerData.moduleUrl);
  const wasm = await WebAssembly.compile(readFileSync(workerData.wasmPath));
  return async () => {
    let exports;
    const log = [];
    const module = await ESpeakNg({
      noInitialRun: true,
      arguments: [], // else Emscripten hands the CLI this process's argv
      instantiateWasm(imports, done) {
        WebAssembly.instantiate(wasm, imports).then((i) => { exports = i.exports; done(i); });
        return {};
      },
      print: (s) => log.push(s), printErr: (s) => log.push(s),
      quit: (status, error) => { throw error; }, // the default sets process.exitCode
    });
    return { module, exports, log };
  };
})();
let spare;
function runMain({ exports }, args) {
  const encoder = new TextEncoder();
  const top = exports.stackSave();
  try {
    const argv = exports.stackAlloc((args.length + 1) * 4);
    const u32 = new Uint32Array(exports.memory.buffer);
    args.forEach((arg, i) => {
      const bytes = encoder.encode(arg + '\\0');
      u32[(argv >> 2) + i] = exports.stackAlloc(bytes.length);
      new Uint8Array(exports.memory.buffer).set(bytes, u32[(argv >> 2) + i]);
    });
    u32[(argv >> 2) + args.length] = 0;
    try { return exports.__main_argc_argv(args.length, argv); }
    catch (e) { if (e && e.name === 'ExitStatus') return e.status; throw e; }
  } finally { exports.stackRestore(top); }
}
// The samples of espeak's mono PCM16 WAV, unpacked here so the main thread only wraps them.
function pcmOf(wav) {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let sampleRate = 0;
  for (let at = 12; at + 8 <= wav.length; ) {
    const id = String.fromCharCode(...wav.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') sampleRate = view.getUint32(at + 12, true);
    if (id === 'data') {
      const end = size === 0 || size === 0xffffffff ? wav.length : Math.min(wav.length, at + 8 + size);
      return { samples: new Int16Array(wav.slice(at + 8, end - ((end - at - 8) % 2)).buffer), sampleRate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('espeak-ng wrote no audio');
}
parentPort.on('message', async ({ id, text, voice, wpm }) => {
  try {
    const next = spare ?? (await setup)();
    spare = undefined; // taken, or failed: either way the next sentence needs another
    const instance = await next;
    // The text goes in through a file, never argv: text such as "-v" or "--help" cannot become a flag.
    instance.module.FS.writeFile('/in.txt', text);
    const args = ['espeak-ng', '-b', '1', '-v', voice, '-s', String(wpm), '-w', '/out.wav', '-f', '/in.txt'];
    const status = runMain(instance, args);
    if (status !== 0) throw new Error('espeak-ng exited with ' + status + ': ' + instance.log.join(' ').slice(0, 300));
    const { samples, sampleRate } = pcmOf(instance.module.FS.readFile('/out.wav'));
    parentPort.postMessage({ id, samples, sampleRate }, [samples.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
  setImmediate(() => { spare ??= setup.then((create) => create()); spare.catch(() => {}); });
});
`;

type Settle = { resolve(audio: PcmAudio | null): void; reject(e: Error): void };
type Job = Settle & { text: string; voice: string; signal: AbortSignal };

/** One worker thread, one sentence at a time; restarted after a crash or a hung sentence. */
class EspeakThread {
  private worker?: Worker;
  private pending?: Settle & { id: number; timer: NodeJS.Timeout };
  private nextId = 1;
  busy = false;

  constructor(private readonly timeoutMs: number, private readonly wpm: number) {}

  private start(): Worker {
    const entry = createRequire(import.meta.url).resolve('espeak-ng');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { moduleUrl: pathToFileURL(entry).href, wasmPath: join(dirname(entry), 'espeak-ng.wasm') },
    });
    worker.unref(); // an idle voice must not keep the process alive; ref() while a job runs
    worker.on('message', (m: { id: number; samples?: Int16Array; sampleRate?: number; error?: string }) => {
      if (m.id !== this.pending?.id) return;
      if (m.error !== undefined) this.settle(undefined, new Error(`espeak-ng failed: ${m.error}`));
      else this.settle(m.samples && m.sampleRate ? { samples: m.samples, sampleRate: m.sampleRate } : null);
    });
    const dead = (why: string) => {
      if (this.worker !== worker) return; // replaced after a timeout, or closed
      this.worker = undefined;
      this.settle(undefined, new Error(`espeak-ng worker ${why}`));
    };
    worker.on('error', (e) => dead(`crashed: ${e.message}`));
    worker.on('exit', (code) => dead(`exited (${code})`));
    return worker;
  }

  private settle(audio: PcmAudio | null | undefined, error?: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.busy = false;
    clearTimeout(pending.timer);
    this.worker?.unref();
    if (error) pending.reject(error);
    else pending.resolve(audio ?? null);
  }

  run(text: string, voice: string, timeoutMs = this.timeoutMs): Promise<PcmAudio | null> {
    this.busy = true;
    const worker = (this.worker ??= this.start());
    worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.worker === worker) this.worker = undefined; // the next sentence gets a fresh worker
        this.settle(undefined, new Error(`espeak-ng took over ${timeoutMs} ms`));
        void worker.terminate();
      }, timeoutMs);
      this.pending = { id, resolve, reject, timer };
      worker.postMessage({ id, text, voice, wpm: this.wpm });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.settle(null); // shutting down: the sentence ends, like an abort
    await worker?.terminate();
  }
}

export class EspeakTts implements TextToSpeech {
  readonly name = 'espeak';
  private readonly threads: EspeakThread[];
  private readonly queue: Job[] = [];
  private readonly defaultVoice: string;

  constructor(options: EspeakOptions = {}) {
    const wpm = Math.round(Math.min(450, Math.max(80, options.wordsPerMinute ?? 175)));
    const count = Math.max(1, options.threads ?? 1);
    this.threads = Array.from({ length: count }, () => new EspeakThread(options.sentenceTimeoutMs ?? 10_000, wpm));
    this.defaultVoice = espeakVoice(options.defaultVoice, 'en-us');
  }

  /**
   * Starts the workers and says one word on each, e.g. at server start-up: the first sentence
   * otherwise also pays for the thread, the WASM compile and V8's first, slower tier.
   */
  async warmUp(): Promise<void> {
    const idle = this.threads.filter((t) => !t.busy);
    await Promise.all(idle.map((t) => t.run('Hello.', this.defaultVoice, 30_000).finally(() => this.pump())));
  }

  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.resolve(null);
    await Promise.all(this.threads.map((t) => t.close()));
  }

  async *synthesize(text: string, options: { signal: AbortSignal; voice?: string }): AsyncIterable<PcmAudio> {
    const { signal } = options;
    const voice = espeakVoice(options.voice, this.defaultVoice);
    const sentences = splitSentences(text);
    // Our own signal too, so that a consumer that stops iterating also drops the queued sentence.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const inFlight: Promise<PcmAudio | null>[] = [];
    let next = 0;
    const request = () => {
      const job = this.enqueue(sentences[next++]!, voice, stop.signal);
      job.catch(() => {}); // awaited below; this only silences it if we stop first
      inFlight.push(job);
    };
    try {
      if (sentences.length > 0 && !signal.aborted) request();
      while (inFlight.length > 0 && !signal.aborted) {
        if (next < sentences.length) request(); // one sentence ahead: made while this one is heard
        const audio = await untilAborted(inFlight.shift()!, stop.signal);
        if (!audio || signal.aborted) return;
        if (audio.samples.length > 0) yield audio;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  private enqueue(text: string, voice: string, signal: AbortSignal): Promise<PcmAudio | null> {
    const job = new Promise<PcmAudio | null>((resolve, reject) => this.queue.push({ text, voice, signal, resolve, reject }));
    this.pump();
    return job;
  }

  private pump(): void {
    for (const thread of this.threads) {
      if (thread.busy) continue;
      let job = this.queue.shift();
      for (; job?.signal.aborted; job = this.queue.shift()) job.resolve(null);
      if (!job) return;
      thread.run(job.text, job.voice).then(job.resolve, job.reject).finally(() => this.pump());
    }
  }
}

/** The job's result, or null as soon as the signal aborts (the worker's result is then dropped). */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  const aborted = new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }));
  return signal.aborted ? null : Promise.race([promise, aborted]);
}
