import type { JsonTextRules } from './json-text.js';

/** Nesting the quick pass follows; deeper text (legal up to `maxDepth`) goes to the full pass. */
const MAX_QUICK_DEPTH = 32;
/** Keys held at once across the open objects; a line with more goes to the full pass. */
const MAX_QUICK_KEYS = 512;

// Reused by every call (the pass is synchronous): a hash per key of each open object, where each open
// object's keys start, and whether each open level is a list.
const keyHashes = new Int32Array(MAX_QUICK_KEYS);
const keysFrom = new Int32Array(MAX_QUICK_DEPTH + 2);
const isList = new Uint8Array(MAX_QUICK_DEPTH + 2);

/**
 * True only when `bytes[start, stop)` is a JSON object with none of the problems `inspectJsonText` reports
 * under `rules`; false means "look closer", not "refused". It reads the bytes once, with no string and no
 * parse, and accepts only the plain form a JSON serializer writes: no whitespace, no escape, integers only.
 * Keys are compared by hash, so two different keys with the same hash also send the text to the full pass.
 * The bytes must already be known to be valid UTF-8 (which cannot hold a lone surrogate).
 */
export function isPlainJsonObject(bytes: Buffer, start: number, stop: number, rules: JsonTextRules): boolean {
  const maxDepth = Math.min(rules.maxDepth, MAX_QUICK_DEPTH);
  if (stop - start < 2 || bytes[start] !== 0x7b || maxDepth < 1) return false;
  const noMinus = rules.numbers === 'integer';
  let depth = 1;
  isList[1] = 0;
  keysFrom[1] = 0;
  let keysHeld = 0;
  let i = start + 1;
  if (bytes[i] === 0x7d) return i + 1 === stop;
  for (;;) {
    // At the start of a member (in an object) or an element (in a list).
    let keyStart = -1;
    let keyStop = -1;
    if (isList[depth] === 0) {
      if (bytes[i] !== 0x22) return false;
      keyStart = ++i;
      let hash = 0x811c9dc5 | 0;
      for (;;) {
        if (i >= stop) return false;
        const c = bytes[i]!;
        if (c === 0x22) break;
        if (c < 0x20 || c === 0x5c) return false;
        hash = Math.imul(hash ^ c, 0x01000193);
        i++;
      }
      keyStop = i;
      hash = Math.imul(hash ^ (keyStop - keyStart), 0x01000193);
      for (let k = keysFrom[depth]!; k < keysHeld; k++) if (keyHashes[k] === hash) return false;
      if (keysHeld === MAX_QUICK_KEYS) return false;
      keyHashes[keysHeld++] = hash;
      if (bytes[i + 1] !== 0x3a) return false;
      i += 2;
    }
    const c = bytes[i];
    if (c === 0x22) {
      for (i++; ; i++) {
        if (i >= stop) return false;
        const s = bytes[i]!;
        if (s === 0x22) break;
        if (s < 0x20 || s === 0x5c) return false;
      }
      i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === 1 && rules.nestedValue) {
        const key = bytes.toString('utf8', keyStart, keyStop);
        if (rules.nestedValue(key, c === 0x7b ? 'object' : 'array') !== null) return false;
      }
      if (++depth > maxDepth) return false;
      isList[depth] = c === 0x5b ? 1 : 0;
      keysFrom[depth] = keysHeld;
      i++;
      if (bytes[i] !== (c === 0x7b ? 0x7d : 0x5d)) continue;
      depth--;
      i++;
    } else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      if (c === 0x2d) {
        if (noMinus) return false;
        i++;
      }
      const first = bytes[i];
      if (first === 0x30) i++;
      else if (first !== undefined && first >= 0x31 && first <= 0x39) {
        for (i++; bytes[i] !== undefined && bytes[i]! >= 0x30 && bytes[i]! <= 0x39; i++);
      } else return false;
    } else if (c === 0x74) {
      if (bytes[i + 1] !== 0x72 || bytes[i + 2] !== 0x75 || bytes[i + 3] !== 0x65) return false;
      i += 4;
    } else if (c === 0x66) {
      if (bytes[i + 1] !== 0x61 || bytes[i + 2] !== 0x6c || bytes[i + 3] !== 0x73 || bytes[i + 4] !== 0x65)
        return false;
      i += 5;
    } else if (c === 0x6e) {
      if (bytes[i + 1] !== 0x75 || bytes[i + 2] !== 0x6c || bytes[i + 3] !== 0x6c) return false;
      i += 4;
    } else return false;
    // After a value: a comma, or the close of one or more levels. Anything else (a decimal point, an
    // exponent, a digit after a leading zero) is for the full pass.
    for (;;) {
      if (i >= stop) return false;
      const d = bytes[i];
      if (d === 0x2c) {
        i++;
        break;
      }
      if (d !== (isList[depth] === 1 ? 0x5d : 0x7d)) return false;
      keysHeld = keysFrom[depth]!;
      depth--;
      i++;
      if (depth === 0) return i === stop;
    }
  }
}
