/**
 * Tiny generated stand-ins for the local voice models, for tests that want the REAL
 * transformers.js / kokoro-js code paths (file lookup, sessions, feature extraction, generation
 * loop, KV cache, tokenizers) without the real weights:
 *
 *   npx tsx scripts/generate-tiny-models.ts <outDir>
 *
 * writes, in the Hugging Face layout transformers.js reads with `env.localModelPath = outDir`:
 *
 * - `onnx-community/whisper-tiny.en/`: config.json, generation_config.json,
 *   preprocessor_config.json, tokenizer.json and tokenizer_config.json copied from the real model
 *   (`../shared/models/whisper-tiny.en`), and two generated graphs with the real input/output
 *   names and shapes, under the names transformers.js loads for `dtype: 'q8'`:
 *   - `onnx/encoder_model_quantized.onnx`: input_features [b, 80, 3000] → last_hidden_state
 *     [b, 1500, 384]. Each output frame is the loudness of two log-mel frames (their mean over the
 *     80 bins, shifted so digital silence is 0), repeated over the 384 channels.
 *   - `onnx/decoder_model_merged_quantized.onnx`: input_ids, encoder_hidden_states,
 *     past_key_values.{0..3}.{decoder,encoder}.{key,value}, use_cache_branch → logits
 *     [b, seq, 51864] and present.* ([b, 6, past+seq, 64] for the decoder cache, [b, 6, 1500, 64]
 *     for the encoder cache, through an `If` on use_cache_branch as in optimum's merged export).
 *     The logits are one-hot rows of a script indexed by position (past length + position in
 *     input_ids): when the loudest encoder frame is above {@link WHISPER_LOUDNESS_THRESHOLD} it
 *     says {@link TINY_WHISPER_PHRASE} (tokenized with the real tokenizer) then <|endoftext|>;
 *     otherwise it asks for <|endoftext|> at once. Whisper's begin_suppress_tokens forbid
 *     <|endoftext|> as the first generated token, so the silent script carries <|notimestamps|>
 *     as its runner-up (a special token: it decodes to nothing) and ends on the next step.
 *
 * - `onnx-community/Kokoro-82M-v1.0-ONNX/`: config.json, tokenizer.json, tokenizer_config.json
 *   (see KOKORO_VOCAB) and `onnx/model_quantized.onnx` (what kokoro-js loads for dtype 'q8'):
 *   input_ids int64 [1, N], style float32 [1, 256], speed float32 [1] → waveform float32
 *   [floor(N * 600 / speed)] at 24 kHz: 600/speed samples per token, a sine whose pitch is
 *   110 + 4 × token id Hz (the pad token `$` is silent), amplitude 0.2 + 0.1 × tanh(mean(style)).
 *   No voices/: kokoro-js reads the style vectors from its own package folder.
 *
 * Every graph is a handful of ops (opset 13) with no weights; each file is a few kB.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto, { type onnx as Onnx } from 'onnx-proto';
import { projectRoot } from '../src/paths.js';

const { onnx } = onnxProto;

export const WHISPER_REPO = 'onnx-community/whisper-tiny.en';
export const KOKORO_REPO = 'onnx-community/Kokoro-82M-v1.0-ONNX';
/** What the tiny Whisper says for audio with speech in it (decoded text, leading space included). */
export const TINY_WHISPER_PHRASE = ' Hello from the tiny model.';
/**
 * Encoder frames (mean log-mel + 1.5: 0 for digital silence, +0.5 per 20 dB) above this count as
 * speech. jfk.wav peaks at 2.09 (1.09 at -40 dB); white noise is about 2.0 + (dBFS RMS + 25) / 40,
 * so this is noise at about -55 dBFS RMS: a telephone line's noise floor stays below it.
 */
export const WHISPER_LOUDNESS_THRESHOLD = 1.25;
export const KOKORO_SAMPLE_RATE = 24_000;
/** Samples per input token at speed 1 (Kokoro's real frame is 600 samples = 25 ms as well). */
export const KOKORO_SAMPLES_PER_TOKEN = 600;

/** The real Whisper tiny.en files the tiny copy shares (config and tokenizer). */
export const WHISPER_SOURCE_DIR = resolve(projectRoot, '../shared/models/whisper-tiny.en');
const WHISPER_COPIED_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

const OPSET = 13;
const IR_VERSION = 7;

// ---------------------------------------------------------------------------------------------
// A small ONNX graph builder over onnx-proto's generated classes.

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
type Dim = number | string;
type Attr =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { graph: Onnx.IGraphProto };

function valueInfo(name: string, elemType: number, dims: Dim[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, a: Attr): Onnx.IAttributeProto {
  if ('int' in a) return { name, type: AT.INT, i: a.int };
  if ('ints' in a) return { name, type: AT.INTS, ints: a.ints };
  if ('float' in a) return { name, type: AT.FLOAT, f: a.float };
  return { name, type: AT.GRAPH, g: a.graph };
}

class GraphBuilder {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  readonly inputs: Onnx.IValueInfoProto[] = [];
  readonly outputs: Onnx.IValueInfoProto[] = [];
  private count = 0;

  /** `prefix` keeps generated names unique across a graph and its subgraphs. */
  constructor(
    readonly name: string,
    private readonly prefix: string,
  ) {}

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  private fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.count++}`;
  }

  /** An int64 constant; `dims` [] for a scalar. */
  int64(values: readonly number[], dims: number[] = [values.length]): string {
    const name = this.fresh('i64');
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: DT.INT64, dims, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  float(values: readonly number[], dims: number[] = [values.length]): string {
    const name = this.fresh('f32');
    const raw = new Float32Array(values);
    this.initializers.push({ name, dataType: DT.FLOAT, dims, rawData: new Uint8Array(raw.buffer) });
    return name;
  }

  /** Adds a node; returns its output names (generated unless given). */
  opN(opType: string, inputs: string[], attrs: Record<string, Attr>, outputs: string[] | number): string[] {
    const names =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()))
        : outputs;
    this.nodes.push({
      name: this.fresh(`${opType}_node`),
      opType,
      input: inputs,
      output: names,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  /** A single-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    return this.opN(opType, inputs, attrs, output === undefined ? 1 : [output])[0]!;
  }

  graph(): Onnx.IGraphProto {
    return {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }

  model(docString: string): Uint8Array {
    const model: Onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: 'voice-agent-server/scripts/generate-tiny-models.ts',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: this.graph(),
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

// ---------------------------------------------------------------------------------------------
// Whisper

interface WhisperConfig {
  d_model: number;
  decoder_layers: number;
  decoder_attention_heads: number;
  vocab_size: number;
  num_mel_bins: number;
  max_source_positions: number;
}

interface WhisperGenerationConfig {
  decoder_start_token_id: number;
  eos_token_id: number;
  no_timestamps_token_id: number;
}

/** input_features [b, mels, 2·positions] → last_hidden_state [b, positions, d_model]: per-frame loudness. */
export function buildWhisperEncoder(config: WhisperConfig): Uint8Array {
  const frames = 2 * config.max_source_positions;
  const g = new GraphBuilder('tiny_whisper_encoder', 'enc_');
  const features = g.input('input_features', DT.FLOAT, ['batch_size', config.num_mel_bins, frames]);
  g.output('last_hidden_state', DT.FLOAT, ['batch_size', config.max_source_positions, config.d_model]);

  // Whisper's log-mel features are (log10(power) + 4) / 4, clamped 8 dB below the peak: digital
  // silence is -1.5 everywhere, so the shift makes it 0.
  const perFrame = g.op('ReduceMean', [features], { axes: { ints: [1] }, keepdims: { int: 0 } }); // [b, frames]
  const pairs = g.op('Reshape', [perFrame, g.int64([0, config.max_source_positions, 2])]); // [b, 1500, 2]
  const pooled = g.op('ReduceMean', [pairs], { axes: { ints: [2] }, keepdims: { int: 1 } }); // [b, 1500, 1]
  const loudness = g.op('Add', [pooled, g.float([1.5], [])]);
  g.op('Expand', [loudness, g.int64([1, 1, config.d_model])], {}, 'last_hidden_state');
  return g.model('Tiny generated stand-in for Whisper tiny.en encoder: per-frame log-mel loudness.');
}

/**
 * The merged decoder. `speech` and `silence` are scripts indexed by position: entry p is the token
 * to predict after the token at position p (entry 0 follows <|startoftranscript|>); positions past
 * the end reuse the last entry. Each entry is [first choice, runner-up].
 */
export function buildWhisperDecoder(
  config: WhisperConfig,
  speech: readonly (readonly [number, number])[],
  silence: readonly (readonly [number, number])[],
): Uint8Array {
  if (speech.length !== silence.length || speech.length === 0) throw new Error('scripts must have one equal length');
  const layers = config.decoder_layers;
  const heads = config.decoder_attention_heads;
  const headDim = config.d_model / heads;
  const vocab = config.vocab_size;
  const g = new GraphBuilder('tiny_whisper_decoder_merged', 'dec_');

  const inputIds = g.input('input_ids', DT.INT64, ['batch_size', 'decoder_sequence_length']);
  const encoderStates = g.input('encoder_hidden_states', DT.FLOAT, [
    'batch_size',
    'encoder_sequence_length / 2',
    config.d_model,
  ]);
  const past = (i: number, part: 'decoder' | 'encoder', kv: 'key' | 'value') => `past_key_values.${i}.${part}.${kv}`;
  const present = (i: number, part: 'decoder' | 'encoder', kv: 'key' | 'value') => `present.${i}.${part}.${kv}`;
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value'] as const) {
      g.input(past(i, 'decoder', kv), DT.FLOAT, ['batch_size', heads, 'past_decoder_sequence_length', headDim]);
    }
    for (const kv of ['key', 'value'] as const) {
      g.input(past(i, 'encoder', kv), DT.FLOAT, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
    }
  }
  const useCacheBranch = g.input('use_cache_branch', DT.BOOL, [1]);

  g.output('logits', DT.FLOAT, ['batch_size', 'decoder_sequence_length', vocab]);
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value'] as const) {
      g.output(present(i, 'decoder', kv), DT.FLOAT, ['batch_size', heads, 'present_decoder_sequence_length', headDim]);
    }
    for (const kv of ['key', 'value'] as const) {
      g.output(present(i, 'encoder', kv), DT.FLOAT, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
    }
  }

  // Absolute positions of this call's tokens: past length + 0..seq-1, clamped to the script.
  const seqLen = g.op('Gather', [g.op('Shape', [inputIds]), g.int64([1], [])], { axis: { int: 0 } });
  const pastLen = g.op('Gather', [g.op('Shape', [past(0, 'decoder', 'key')]), g.int64([2], [])], { axis: { int: 0 } });
  const positions = g.op('Range', [pastLen, g.op('Add', [pastLen, seqLen]), g.int64([1], [])]);
  const rows = g.op('Min', [positions, g.int64([speech.length - 1], [])]); // [seq]

  // Speech or not: the loudest encoder frame against the threshold, per batch item.
  const loudest = g.op('ReduceMax', [encoderStates], { axes: { ints: [1, 2] }, keepdims: { int: 0 } }); // [b]
  const isLoud = g.op('Unsqueeze', [g.op('Greater', [loudest, g.float([WHISPER_LOUDNESS_THRESHOLD], [])]), g.int64([1])]); // [b, 1]

  const depth = g.int64([vocab], []);
  const pick = (choice: 0 | 1, onValue: number) => {
    const fromSpeech = g.op('Gather', [g.int64(speech.map((s) => s[choice])), rows], { axis: { int: 0 } });
    const fromSilence = g.op('Gather', [g.int64(silence.map((s) => s[choice])), rows], { axis: { int: 0 } });
    const tokens = g.op('Where', [isLoud, fromSpeech, fromSilence]); // [b, seq]
    return g.op('OneHot', [tokens, depth, g.float([0, onValue])], { axis: { int: -1 } }); // [b, seq, vocab]
  };
  g.op('Add', [pick(0, 10), pick(1, 5)], {}, 'logits');

  // Decoder self-attention cache: the past plus one [heads, headDim] block per new token (the token id).
  const idsAsFloat = g.op('Unsqueeze', [g.op('Cast', [inputIds], { to: { int: DT.FLOAT } }), g.int64([1, 3])]); // [b, 1, seq, 1]
  const newBlock = g.op('Expand', [idsAsFloat, g.int64([1, heads, 1, headDim])]); // [b, heads, seq, headDim]
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value'] as const) {
      g.op('Concat', [past(i, 'decoder', kv), newBlock], { axis: { int: 2 } }, present(i, 'decoder', kv));
    }
  }

  // Cross-attention cache: computed from encoder_hidden_states on the first call, passed through
  // after (transformers.js then keeps its own copy of the past encoder values anyway).
  const encoderNames: string[] = [];
  for (let i = 0; i < layers; i++) for (const kv of ['key', 'value'] as const) encoderNames.push(present(i, 'encoder', kv));
  const withPast = new GraphBuilder('with_past', 'then_');
  for (const name of encoderNames) {
    const out = withPast.op('Identity', [name.replace('present', 'past_key_values')], {}, `then_${name}`);
    withPast.output(out, DT.FLOAT, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
  }
  const noPast = new GraphBuilder('no_past', 'else_');
  const split = noPast.op('Reshape', [encoderStates, noPast.int64([0, 0, heads, headDim])]); // [b, S, heads, headDim]
  const perHead = noPast.op('Transpose', [split], { perm: { ints: [0, 2, 1, 3] } }); // [b, heads, S, headDim]
  for (const name of encoderNames) {
    const out = noPast.op('Identity', [perHead], {}, `else_${name}`);
    noPast.output(out, DT.FLOAT, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
  }
  g.opN(
    'If',
    [useCacheBranch],
    { then_branch: { graph: withPast.graph() }, else_branch: { graph: noPast.graph() } },
    encoderNames,
  );

  return g.model('Tiny generated stand-in for the Whisper tiny.en merged decoder: scripted one-hot logits.');
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

async function generateWhisper(outDir: string): Promise<void> {
  const dir = join(outDir, WHISPER_REPO);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  // Read and written rather than copied: the shared originals are read-only, the copies need not be.
  for (const file of WHISPER_COPIED_FILES) await writeFile(join(dir, file), await readFile(join(WHISPER_SOURCE_DIR, file)));

  const config = await readJson<WhisperConfig>(join(dir, 'config.json'));
  const generation = await readJson<WhisperGenerationConfig>(join(dir, 'generation_config.json'));
  if (config.d_model % config.decoder_attention_heads !== 0) throw new Error('d_model is not a multiple of the heads');

  // The phrase through the real tokenizer (constructed directly: no global env changes).
  const { WhisperTokenizer } = await import('@huggingface/transformers');
  const tokenizer = new WhisperTokenizer(
    await readJson<object>(join(dir, 'tokenizer.json')),
    await readJson<object>(join(dir, 'tokenizer_config.json')),
  );
  const phrase = tokenizer.encode(TINY_WHISPER_PHRASE, { add_special_tokens: false });
  if (phrase.length === 0) throw new Error('the phrase tokenized to nothing');

  const eos = generation.eos_token_id;
  const noTimestamps = generation.no_timestamps_token_id;
  // Entry p follows position p: <|startoftranscript|> (0), <|notimestamps|> (1), then the phrase.
  const speech: [number, number][] = [[noTimestamps, eos], ...phrase.map((t): [number, number] => [t, eos]), [eos, eos]];
  const silence: [number, number][] = speech.map((_, p): [number, number] => (p === 0 ? [noTimestamps, eos] : [eos, noTimestamps]));

  await writeFile(join(dir, 'onnx', 'encoder_model_quantized.onnx'), buildWhisperEncoder(config));
  await writeFile(join(dir, 'onnx', 'decoder_model_merged_quantized.onnx'), buildWhisperDecoder(config, speech, silence));
}

// ---------------------------------------------------------------------------------------------
// Kokoro

/**
 * Kokoro v1.0's phoneme vocabulary (hexgrad/Kokoro-82M config.json "vocab", with the pad `$` = 0),
 * as vendored in several public Kokoro ports. The real onnx-community tokenizer.json could not be
 * fetched here (no network), so {@link kokoroTokenizerJson} rebuilds an equivalent one from it: a
 * character-level WordLevel model, a normalizer that drops characters outside the vocabulary, a
 * split into single characters, and `$ … $` around each sequence. Ids 7, 8, 26-30, … are unused
 * by the model.
 */
export const KOKORO_VOCAB: Readonly<Record<string, number>> = Object.freeze({
  $: 0, ';': 1, ':': 2, ',': 3, '.': 4, '!': 5, '?': 6, '\u2014': 9, '\u2026': 10, '"': 11,
  '(': 12, ')': 13, '\u201c': 14, '\u201d': 15, ' ': 16, '\u0303': 17, '\u02a3': 18, '\u02a5': 19,
  '\u02a6': 20, '\u02a8': 21, '\u1d5d': 22, '\uab67': 23, A: 24, I: 25, O: 31, Q: 33,
  S: 35, T: 36, W: 39, Y: 41, '\u1d4a': 42, a: 43, b: 44, c: 45, d: 46, e: 47,
  f: 48, h: 50, i: 51, j: 52, k: 53, l: 54, m: 55, n: 56, o: 57, p: 58,
  q: 59, r: 60, s: 61, t: 62, u: 63, v: 64, w: 65, x: 66, y: 67, z: 68,
  '\u0251': 69, '\u0250': 70, '\u0252': 71, '\u00e6': 72, '\u03b2': 75, '\u0254': 76, '\u0255': 77,
  '\u00e7': 78, '\u0256': 80, '\u00f0': 81, '\u02a4': 82, '\u0259': 83, '\u025a': 85, '\u025b': 86,
  '\u025c': 87, '\u025f': 90, '\u0261': 92, '\u0265': 99, '\u0268': 101, '\u026a': 102, '\u029d': 103,
  '\u026f': 110, '\u0270': 111, '\u014b': 112, '\u0273': 113, '\u0272': 114, '\u0274': 115, '\u00f8': 116,
  '\u0278': 118, '\u03b8': 119, '\u0153': 120, '\u0279': 123, '\u027e': 125, '\u027b': 126, '\u0281': 128,
  '\u027d': 129, '\u0282': 130, '\u0283': 131, '\u0288': 132, '\u02a7': 133, '\u028a': 135, '\u028b': 136,
  '\u028c': 138, '\u0263': 139, '\u0264': 140, '\u03c7': 142, '\u028e': 143, '\u0292': 147, '\u0294': 148,
  '\u02c8': 156, '\u02cc': 157, '\u02d0': 158, '\u02b0': 162, '\u02b2': 164, '\u2193': 169, '\u2192': 171,
  '\u2197': 172, '\u2198': 173, '\u1d7b': 177,
});

/** A Hugging Face tokenizer.json equivalent to the onnx-community Kokoro one (see KOKORO_VOCAB). */
export function kokoroTokenizerJson(): object {
  const pad = '$';
  const kept = Object.keys(KOKORO_VOCAB)
    .map((ch) => ch.replace(/[\\\]^[-]/g, (c) => `\\${c}`))
    .join('');
  const special = { SpecialToken: { id: pad, type_id: 0 } };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: KOKORO_VOCAB[pad], content: pad, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: { type: 'Replace', pattern: { Regex: `[^${kept}]` }, content: '' },
    pre_tokenizer: { type: 'Split', pattern: { Regex: '' }, behavior: 'Isolated', invert: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special, { Sequence: { id: 'A', type_id: 0 } }, special],
      pair: [special, { Sequence: { id: 'A', type_id: 0 } }, special, { Sequence: { id: 'B', type_id: 1 } }, special],
      special_tokens: { [pad]: { id: pad, ids: [KOKORO_VOCAB[pad]], tokens: [pad] } },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: KOKORO_VOCAB, unk_token: pad },
  };
}

export const KOKORO_TOKENIZER_CONFIG = {
  model_max_length: 512,
  pad_token: '$',
  tokenizer_class: 'PreTrainedTokenizer',
  unk_token: '$',
};

/** input_ids [1, N], style [1, 256], speed [1] → waveform [floor(N·600/speed)]: one tone per token. */
export function buildKokoro(): Uint8Array {
  const g = new GraphBuilder('tiny_kokoro', 'k_');
  const inputIds = g.input('input_ids', DT.INT64, [1, 'sequence_length']);
  const style = g.input('style', DT.FLOAT, [1, 256]);
  const speed = g.input('speed', DT.FLOAT, [1]);
  g.output('waveform', DT.FLOAT, ['num_samples']);

  const perToken = g.float([KOKORO_SAMPLES_PER_TOKEN], []);
  const tokens = g.op('Gather', [g.op('Shape', [inputIds]), g.int64([1], [])], { axis: { int: 0 } }); // N
  const rate = g.op('ReduceMean', [speed], { axes: { ints: [0] }, keepdims: { int: 0 } }); // scalar speed
  const total = g.op('Mul', [g.op('Cast', [tokens], { to: { int: DT.FLOAT } }), perToken]);
  const samples = g.op('Cast', [g.op('Floor', [g.op('Div', [total, rate])])], { to: { int: DT.INT64 } });
  const index = g.op('Range', [g.int64([0], []), samples, g.int64([1], [])]); // [L]

  // Which token each sample belongs to: floor(i · speed / 600), at most N-1.
  const at = g.op('Floor', [g.op('Div', [g.op('Mul', [g.op('Cast', [index], { to: { int: DT.FLOAT } }), rate]), perToken])]);
  const last = g.op('Sub', [tokens, g.int64([1], [])]);
  const which = g.op('Min', [g.op('Cast', [at], { to: { int: DT.INT64 } }), last]);
  const ids = g.op('Gather', [g.op('Reshape', [inputIds, g.int64([-1])]), which], { axis: { int: 0 } }); // [L]

  const hz = g.op('Add', [g.float([110], []), g.op('Mul', [g.op('Cast', [ids], { to: { int: DT.FLOAT } }), g.float([4], [])])]);
  const step = g.op('Mul', [hz, g.float([(2 * Math.PI) / KOKORO_SAMPLE_RATE], [])]);
  const tone = g.op('Sin', [g.op('CumSum', [step, g.int64([0], [])])]);
  const voiced = g.op('Cast', [g.op('Greater', [ids, g.int64([0], [])])], { to: { int: DT.FLOAT } }); // `$` is silent
  const styleMean = g.op('ReduceMean', [style], { axes: { ints: [0, 1] }, keepdims: { int: 0 } });
  const gain = g.op('Add', [g.float([0.2], []), g.op('Mul', [g.float([0.1], []), g.op('Tanh', [styleMean])])]);
  g.op('Mul', [g.op('Mul', [tone, voiced]), gain], {}, 'waveform');
  return g.model('Tiny generated stand-in for Kokoro-82M v1.0: one tone per input token.');
}

async function generateKokoro(outDir: string): Promise<void> {
  const dir = join(outDir, KOKORO_REPO);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  // Byte for byte the real config.json.
  await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'style_text_to_speech_2' }, null, 2));
  await writeFile(join(dir, 'tokenizer.json'), `${JSON.stringify(kokoroTokenizerJson(), null, 2)}\n`);
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(KOKORO_TOKENIZER_CONFIG, null, 2));
  await writeFile(join(dir, 'onnx', 'model_quantized.onnx'), buildKokoro());
}

// ---------------------------------------------------------------------------------------------

/** Writes both tiny models under `outDir` (created if needed; existing files are overwritten). */
export async function generateTinyModels(outDir: string): Promise<void> {
  await generateWhisper(outDir);
  await generateKokoro(outDir);
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: npx tsx scripts/generate-tiny-models.ts <outDir>');
    process.exit(2);
  }
  const started = performance.now();
  await generateTinyModels(resolve(outDir));
  console.log(`tiny models written to ${resolve(outDir)} in ${Math.round(performance.now() - started)} ms`);
}
