import { inspectJsonText, type JsonTextProblem, type JsonTextRules } from './json-text.js';

const SURROGATE = /[\ud800-\udfff]/;

/**
 * `inspectJsonText` for text that JSON.parse already read into `parsed`: the same verdict, mostly without
 * the character-by-character pass. Text a producer wrote with JSON.stringify (no escapes, integers) is
 * proven clean by a quick look at what lies between its strings plus a key count of `parsed`; anything
 * that quick look cannot prove (an escape, a surrogate, a decimal or exponent, a refused field kind) goes
 * through the full pass, so every problem is reported exactly as `inspectJsonText` reports it.
 */
export function inspectParsedJsonText(
  text: string,
  parsed: unknown,
  rules: JsonTextRules,
): JsonTextProblem | null {
  return isPlainlyClean(text, parsed, rules) ? null : inspectJsonText(text, rules);
}

/**
 * True only when `text` (which JSON.parse read into `parsed`) has none of the problems `inspectJsonText`
 * looks for. Without a backslash, every string runs from one quote to the next, so the code between strings
 * is numbers, literals and punctuation: its colons count the keys written, and a repeated key shows as
 * fewer keys in `parsed` than colons in the text.
 */
function isPlainlyClean(text: string, parsed: unknown, rules: JsonTextRules): boolean {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  if (text.includes('\\') || SURROGATE.test(text)) return false;
  let keysWritten = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = text.indexOf('"', i + 1);
      if (i === -1) return false;
    } else if (c === 0x3a) keysWritten++;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > rules.maxDepth) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x74 || c === 0x6e)
      i += 3; // true, null
    else if (c === 0x66)
      i += 4; // false
    else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b)
      return false; // a decimal or an exponent
    else if (c === 0x2d && rules.numbers === 'integer') return false;
  }
  return keysWritten === countKeys(parsed, rules.maxDepth) && nestedValuesAllowed(parsed, rules);
}

/** Keys of every object in `value` (its depth is bounded: the text's nesting was checked first). */
function countKeys(value: unknown, depthLeft: number): number {
  if (typeof value !== 'object' || value === null || depthLeft < 0) return 0;
  let keys = 0;
  if (Array.isArray(value)) for (const item of value) keys += countKeys(item, depthLeft - 1);
  else
    for (const key of Object.keys(value))
      keys += 1 + countKeys((value as Record<string, unknown>)[key], depthLeft - 1);
  return keys;
}

function nestedValuesAllowed(parsed: object, rules: JsonTextRules): boolean {
  const nestedValue = rules.nestedValue;
  if (!nestedValue) return true;
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'object' || value === null) continue;
    if (nestedValue(key, Array.isArray(value) ? 'array' : 'object') !== null) return false;
  }
  return true;
}
