/**
 * G.711 mu-law <-> PCM16, as Twilio Media Streams carry it (8 kHz, 20 ms = 160 bytes).
 *
 * The codec itself comes from `alawmulaw` (the reference Sun g711.c algorithm); we only use it
 * once, at module load, to fill lookup tables: 256 entries for decoding and 65,536 for
 * encoding (64 KiB). A table lookup per sample is several times faster than the library's
 * per-sample branching, and this runs on every 20 ms frame of every call in both directions.
 */
import { createRequire } from 'node:module';

// alawmulaw ships a UMD bundle as `main` and an extensionless ESM `module` entry that Node
// cannot load, so require() is the one form that resolves the same under Node, tsx and vitest.
const { mulaw } = createRequire(import.meta.url)('alawmulaw') as typeof import('alawmulaw');

const DECODE = new Int16Array(256);
for (let b = 0; b < 256; b++) DECODE[b] = mulaw.decodeSample(b);

const ENCODE = new Uint8Array(65536); // indexed by the sample's 16-bit two's-complement pattern
for (let s = -32768; s < 32768; s++) ENCODE[s & 0xffff] = mulaw.encodeSample(s) & 0xff;

/** Decodes mu-law bytes to PCM16 samples (one sample per byte). */
export function mulawToPcm(bytes: Uint8Array): Int16Array {
  const n = bytes.length;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = DECODE[bytes[i]!]!;
  return out;
}

/** Encodes PCM16 samples to mu-law bytes (one byte per sample). */
export function pcmToMulaw(samples: Int16Array): Uint8Array {
  const n = samples.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = ENCODE[samples[i]! & 0xffff]!;
  return out;
}
