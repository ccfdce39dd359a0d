/**
 * The files each local voice engine needs, as Hugging Face repos, and which of them are on disk
 * (for /readyz and a one-line start-up hint). Files live in `${modelsDir}/${repo}/${path}`, the
 * layout transformers.js reads with `env.localModelPath = modelsDir`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { HfFile } from './hf-download.js';

export interface CatalogEntry {
  /** Short name for messages and the CLI ("whisper base.en", "kokoro"). */
  name: string;
  repo: string;
  /** 'main' until we pin commits: a pinned hash would make downloads reproducible. */
  revision: string;
  files: HfFile[];
}

export type WhisperSize = 'base.en' | 'tiny.en';
export const WHISPER_SIZES: readonly WhisperSize[] = ['base.en', 'tiny.en'];
export const DEFAULT_WHISPER_SIZE: WhisperSize = 'base.en';


/** Whisper for transformers.js: quantized encoder and merged decoder (the ones it loads by default with dtype q8). */
export function whisperEntry(size: WhisperSize = DEFAULT_WHISPER_SIZE): CatalogEntry {
  return {
    name: `whisper ${size}`,
    repo: `onnx-community/whisper-${size}`,
    revision: 'main',
    files: [
      'config.json',
      'generation_config.json',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/encoder_model_quantized.onnx',
      'onnx/decoder_model_merged_quantized.onnx',
    ].map((path) => ({ path })),
  };
}

/**
 * Kokoro 82M v1.0 (quantized, ~90 MB). Its voices (style vectors) ship inside kokoro-js, which
 * reads them from its own package; `voices` adds copies from the repo for other tools.
 */
export function kokoroEntry(voices: readonly string[] = []): CatalogEntry {
  for (const v of voices) if (!/^[a-z]{2}_[a-z0-9]+$/.test(v)) throw new Error(`not a Kokoro voice name: ${v}`);
  return {
    name: 'kokoro',
    repo: 'onnx-community/Kokoro-82M-v1.0-ONNX',
    revision: 'main',
    files: [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model_quantized.onnx',
      ...voices.map((v) => `voices/${v}.bin`),
    ].map((path) => ({ path })),
  };
}

export interface ModelStatus {
  name: string;
  repo: string;
  dir: string;
  ready: boolean;
  present: string[];
  missing: string[];
  /** Missing files with a `.part` left by an interrupted download (`npm run models` resumes it). */
  partial: string[];
}

/** Which files of an entry are on disk; a file of the wrong known size counts as missing. Sync: a few stat calls. */
export function modelStatus(modelsDir: string, entry: CatalogEntry): ModelStatus {
  const dir = join(modelsDir, entry.repo);
  const present: string[] = [];
  const missing: string[] = [];
  const partial: string[] = [];
  for (const file of entry.files) {
    const size = fileSize(join(dir, file.path));
    if (size !== undefined && (file.size === undefined || size === file.size)) present.push(file.path);
    else {
      missing.push(file.path);
      if (fileSize(join(dir, `${file.path}.part`)) !== undefined) partial.push(file.path);
    }
  }
  return { name: entry.name, repo: entry.repo, dir, ready: missing.length === 0, present, missing, partial };
}

/** One line for the start-up log, or undefined when everything is there. */
export function missingModelsMessage(statuses: readonly ModelStatus[]): string | undefined {
  const incomplete = statuses.filter((s) => !s.ready);
  if (incomplete.length === 0) return undefined;
  const parts = incomplete.map((s) => {
    const list = s.missing.length <= 3 ? s.missing.join(', ') : `${s.missing.slice(0, 3).join(', ')} and ${s.missing.length - 3} more`;
    return `${s.name} (${s.repo}: ${list})`;
  });
  return `Local voice models missing: ${parts.join('; ')}. Download them with \`npm run models\` (HF_ENDPOINT for a mirror).`;
}

function fileSize(path: string): number | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}
