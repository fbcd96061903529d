import { describe, expect, it } from 'vitest';
import { isPlainJsonObject } from './json-bytes-plain.js';
import { inspectJsonText, type JsonTextRules } from './json-text.js';

const canonical: JsonTextRules = { maxDepth: 8, numbers: 'canonical' };
const integer: JsonTextRules = { maxDepth: 8, numbers: 'integer' };
const noObjects: JsonTextRules = {
  ...canonical,
  nestedValue: (key, kind) => (key === 'genres' && kind === 'array' ? null : `holds an ${kind}`),
};

const quick = (text: string, rules: JsonTextRules = canonical) => {
  const bytes = Buffer.from(text);
  return isPlainJsonObject(bytes, 0, bytes.length, rules);
};

describe('isPlainJsonObject', () => {
  it.each([
    '{}',
    '{"a":1,"b":"x:y","c":true,"d":false,"e":null,"f":[1,{"g":2}],"h":{},"i":[]}',
    '{"a":-12,"b":0,"c":12345678901234567890123}',
    '{"name":"Sigur Rós – Hoppípolla 🎵 東京"}',
    '{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]}',
    '{"genres":["pop","rock"],"name":"x"}',
  ])('accepts serializer output %s, which the full pass accepts too', (text) => {
    const rules = text.includes('genres') ? noObjects : canonical;
    expect(inspectJsonText(text, rules)).toBeNull();
    expect(quick(text, rules)).toBe(true);
  });

  it.each([
    ['a repeated key', '{"a":1,"b":2,"a":3}', canonical],
    ['a repeated key in a nested object', '{"a":{"k":1,"k":2}}', canonical],
    ['a repeated key after a nested object closes', '{"a":{"b":1},"a":2}', canonical],
    ['a decimal', '{"a":57.3}', canonical],
    ['an exponent', '{"a":2e5}', canonical],
    ['a leading zero', '{"a":01}', canonical],
    ['a bare minus', '{"a":-}', canonical],
    ['a negative number under integer rules', '{"a":-1}', integer],
    ['whitespace', '{"a": 1}', canonical],
    ['an escape', '{"a":"x\\"y"}', canonical],
    ['a raw control character', '{"a":"x\ty"}', canonical],
    ['a broken literal', '{"a":tru}', canonical],
    ['a trailing comma', '{"a":1,}', canonical],
    ['text after the object', '{"a":1}x', canonical],
    ['a second object', '{"a":1}{"b":2}', canonical],
    ['an unterminated string', '{"a":"xyz', canonical],
    ['a missing close', '{"a":[1,2}', canonical],
    ['a mismatched close', '{"a":[1,2}}', canonical],
    ['a list at the top', '[1,2]', canonical],
    ['a string at the top', '"x"', canonical],
    ['an empty text', '', canonical],
    ['nesting past maxDepth', `{"a":${'['.repeat(8)}${']'.repeat(8)}}`, canonical],
    ['any object when maxDepth is 0', '{}', { maxDepth: 0, numbers: 'canonical' } as JsonTextRules],
    ['an object where the rules refuse one', '{"genres":["pop"],"name":{"a":1}}', noObjects],
    ['a list where the rules refuse one', '{"tags":[]}', noObjects],
  ])('sends %s to the full pass', (_, text, rules) => {
    expect(quick(text, rules)).toBe(false);
  });

  it('reads only its range of a larger buffer', () => {
    const bytes = Buffer.from('{"a":1}\n{"b":"x\n{"c":2}');
    expect(isPlainJsonObject(bytes, 0, 7, canonical)).toBe(true);
    expect(isPlainJsonObject(bytes, 8, 15, canonical)).toBe(false); // the string runs into the next line
    expect(isPlainJsonObject(bytes, 16, bytes.length, canonical)).toBe(true);
    expect(isPlainJsonObject(bytes, 0, 6, canonical)).toBe(false); // cut before the close
    expect(isPlainJsonObject(Buffer.from('{"a":tr'), 0, 7, canonical)).toBe(false);
    expect(isPlainJsonObject(Buffer.from('{"a":12'), 0, 6, canonical)).toBe(false);
  });

  it('keeps no state from one call to the next', () => {
    expect(quick('{"a":{"b":1,"c":[{"d":1}]}')).toBe(false); // cut short, with objects left open
    expect(quick('{"b":1,"d":2}')).toBe(true);
  });
});
