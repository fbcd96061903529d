/**
 * The simulator's randomness: a 32-bit mixing hash to derive independent streams from (seed, index, ...)
 * and xoshiro128** for the stream itself. Both use only 32-bit integer arithmetic, so a stream is the same
 * on every machine and costs a few nanoseconds per draw (Math.random cannot be seeded; faker is too slow
 * for the per-event path and is used for catalog names only).
 */

/** murmur3's finalizer: a bijective avalanche on 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a few uint32s into one well-mixed uint32: `hash32(seed, listenerIndex, 7)`. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = fmix32((a ^ 0x9e3779b9) >>> 0);
  h = fmix32((h + Math.imul(b >>> 0, 0x85ebca6b)) >>> 0);
  h = fmix32((h ^ Math.imul(c >>> 0, 0xcc9e2d51)) >>> 0);
  return fmix32((h + Math.imul(d >>> 0, 0x1b873593)) >>> 0);
}

/** A uniform double in [0, 1) from a uint32 hash. */
export const unit = (h: number): number => h / 0x1_0000_0000;

const TWO_POW_32 = 0x1_0000_0000;

/** 128 bits naming one run, as four uint32 words (see `runKey`). */
export type RunKey = readonly [number, number, number, number];

/** xoshiro128** (Blackman and Vigna): 128 bits of state, period 2^128 - 1. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = hash32(seed, stream, 1);
    this.b = hash32(seed, stream, 2);
    this.c = hash32(seed, stream, 3);
    this.d = hash32(seed, stream, 4) | 1;
  }

  /**
   * Stream `stream` (any safe integer) of a 128-bit key, for one `purpose`. Every state word mixes the
   * stream number with two key words, so streams of two different keys share a state (and repeat each
   * other's ids) only with probability about 2^-128, where 32-bit seeds collide whenever two runs share one.
   */
  static keyed(key: RunKey, stream: number, purpose = 0): Rng {
    const low = stream >>> 0;
    const high = Math.floor(stream / TWO_POW_32) >>> 0;
    const tag = purpose << 3;
    const rng = new Rng(0);
    rng.a = hash32(key[0], low, tag | 1, key[1] ^ high);
    rng.b = hash32(key[1], low, tag | 2, key[2] ^ high);
    rng.c = hash32(key[2], low, tag | 3, key[3] ^ high);
    rng.d = hash32(key[3], low, tag | 4, key[0] ^ high) | 1;
    return rng;
  }

  /** A uniform uint32. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform double in [0, 1). */
  float(): number {
    return this.next() / TWO_POW_32;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    // Box-Muller; one normal per call keeps the stream's use easy to follow.
    const u = 1 - this.float();
    const v = this.float();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  /** A version-4-shaped UUID from 122 random bits: deterministic ids for events and sessions. */
  uuid(): string {
    const a = this.next();
    const b = this.next();
    const c = this.next();
    const d = this.next();
    return (
      hex8(a) +
      '-' +
      hex4(b >>> 16) +
      '-4' +
      hex4(b & 0x0fff).slice(1) +
      '-' +
      hex4(((c >>> 16) & 0x3fff) | 0x8000) +
      '-' +
      hex4(c & 0xffff) +
      hex8(d)
    );
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex4(v: number): string {
  return HEX[(v >>> 8) & 0xff]! + HEX[v & 0xff]!;
}

function hex8(v: number): string {
  return HEX[v >>> 24]! + HEX[(v >>> 16) & 0xff]! + HEX[(v >>> 8) & 0xff]! + HEX[v & 0xff]!;
}
