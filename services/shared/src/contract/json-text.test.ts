import { describe, expect, it } from 'vitest';
import { inspectJsonText, type JsonTextRules } from './json-text.js';

const canonical: JsonTextRules = { maxDepth: 8, numbers: 'canonical' };
const code = (text: string, rules = canonical) => inspectJsonText(text, rules)?.code ?? 'ok';

describe('inspectJsonText', () => {
  it.each([
    ['{}', 'ok'],
    [' {"a": [1, -2, 3.5, 0.25, {"b": null}], "c": "\\u00e9\\ud83c\\udfb5\\n", "d": true} ', 'ok'],
    ['{"a": "🎵 raw pair"}', 'ok'],
    ['[1,2]', 'not_an_object'],
    ['"text"', 'not_an_object'],
    ['{"a":1,}', 'not_json'],
    ['{"a":NaN}', 'not_json'],
    ["{'a':1}", 'not_json'],
    ['{"a":1} x', 'not_json'],
    ['{"a":"\t"}', 'not_json'],
    ['{"a":"\\x41"}', 'not_json'],
    ['{"a":01}', 'not_json'],
    ['{"a":1.}', 'not_json'],
    ['{"a":', 'not_json'],
    ['', 'not_json'],
    ['{"a":1,"a":2}', 'duplicate_key'],
    ['{"a":{"b":1,"b":1}}', 'duplicate_key'],
    ['{"ab":1,"a\\u0062":2}', 'duplicate_key'],
    ['{"a":"x\\u0000y"}', 'nul_character'],
    ['{"a":"\\ud800"}', 'lone_surrogate'],
    ['{"a":"\\ud800\\u0041"}', 'lone_surrogate'],
    ['{"a":"\\udc00\\ud800"}', 'lone_surrogate'],
    ['{"a":"x\ud800"}', 'lone_surrogate'],
    ['{"a":2e5}', 'number_form'],
    ['{"a":1000.0}', 'number_form'],
    ['{"a":1E+2}', 'number_form'],
    ['{"a":-0.50}', 'number_form'],
    ['{"a":0.1234567890123456789}', 'number_form'],
    ['{"a":0.0000001}', 'number_form'],
    ['{"a":12345678901234567890123,"b":0.30000000000000004}', 'ok'],
    ['{"a":[[[[[[[[1]]]]]]]]}', 'too_deep'],
  ])('%s -> %s', (text, expected) => {
    expect(code(text)).toBe(expected);
  });

  it('names the top-level field a problem is in', () => {
    expect(inspectJsonText('{"ok":1,"genres":["pop",1e3]}', canonical)?.message).toBe(
      'genres: 1e3 is not written as a plain number (no exponent, no trailing zero, as a double prints it)',
    );
  });

  it('allows only plain non-negative integers under the integer rule', () => {
    const integer = { maxDepth: 8, numbers: 'integer' as const };
    expect(code('{"a":0,"b":1234567}', integer)).toBe('ok');
    expect(code('{"a":-1}', integer)).toBe('number_form');
    expect(code('{"a":57.3}', integer)).toBe('number_form');
  });

  it('never throws, however deep the input', () => {
    expect(code(`{"a":${'['.repeat(100_000)}`)).toBe('too_deep');
    expect(code(`${'['.repeat(100_000)}`)).toBe('too_deep');
  });

  it('lets the caller refuse a kind of value for a top-level field', () => {
    const scalars: JsonTextRules = {
      ...canonical,
      nestedValue: (key, kind) => (key !== 'genres' ? `holds an ${kind}` : null),
    };
    expect(inspectJsonText('{"genres":["pop"],"name":"x"}', scalars)).toBeNull();
    expect(inspectJsonText('{"genres":["pop"],"name":{"a":1}}', scalars)).toEqual({
      code: 'field_kind',
      message: 'name: holds an object',
    });
  });
});
