import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kokoroEntry, missingModelsMessage, modelStatus, whisperEntry } from './model-catalog.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'models-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (path: string, text = 'x') => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
};

describe('model catalog', () => {
  it('lists the transformers.js Whisper files, matching the real tiny.en config files', () => {
    const entry = whisperEntry('tiny.en');
    expect(entry.repo).toBe('onnx-community/whisper-tiny.en');
    const configs = entry.files.map((f) => f.path).filter((p) => !p.startsWith('onnx/'));
    const shared = new URL('../../../../shared/models/whisper-tiny.en/', import.meta.url);
    let real: string[] = [];
    try {
      real = readdirSync(shared);
    } catch {
      return; // the shared copy is only there in the development workspace
    }
    expect(configs.sort()).toEqual(real.filter((f) => f.endsWith('.json')).sort());
  });

  it('lists Kokoro without voices by default (kokoro-js ships them), extra voices by name, and refuses odd voice names', () => {
    const paths = kokoroEntry().files.map((f) => f.path);
    expect(paths).toContain('onnx/model_quantized.onnx');
    expect(paths.filter((p) => p.startsWith('voices/'))).toEqual([]);
    expect(kokoroEntry(['af_bella']).files.map((f) => f.path)).toContain('voices/af_bella.bin');
    expect(() => kokoroEntry(['../x'])).toThrow(/not a Kokoro voice/);
  });

  it('reports present, missing and partial files, and one line saying how to get them', () => {
    const entry = whisperEntry('base.en');
    put(`${entry.repo}/config.json`);
    put(`${entry.repo}/tokenizer.json`);
    put(`${entry.repo}/onnx/encoder_model_quantized.onnx.part`);
    const status = modelStatus(dir, entry);
    expect(status.ready).toBe(false);
    expect(status.present).toEqual(['config.json', 'tokenizer.json']);
    expect(status.missing).toHaveLength(5);
    expect(status.partial).toEqual(['onnx/encoder_model_quantized.onnx']);
    const line = missingModelsMessage([status, modelStatus(dir, kokoroEntry())])!;
    expect(line).not.toContain('\n');
    expect(line).toContain('whisper base.en (onnx-community/whisper-base.en: generation_config.json');
    expect(line).toContain('npm run models');

    for (const f of entry.files) put(`${entry.repo}/${f.path}`);
    expect(modelStatus(dir, entry).ready).toBe(true);
    expect(missingModelsMessage([modelStatus(dir, entry)])).toBeUndefined();
  });

  it('counts a file of the wrong known size as missing', () => {
    const entry = { name: 't', repo: 'a/b', revision: 'main', files: [{ path: 'w.bin', size: 10 }] };
    put('a/b/w.bin', 'short');
    expect(modelStatus(dir, entry).missing).toEqual(['w.bin']);
  });
});
