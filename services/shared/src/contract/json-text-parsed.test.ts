import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspectJsonText, type JsonTextRules } from './json-text.js';
import { inspectParsedJsonText } from './json-text-parsed.js';

const canonical: JsonTextRules = { maxDepth: 8, numbers: 'canonical' };
const integer: JsonTextRules = { maxDepth: 8, numbers: 'integer' };
const scalars: JsonTextRules = {
  ...canonical,
  nestedValue: (key, kind) => (key !== 'genres' ? `holds an ${kind}` : null),
};

/** Both passes on text that JSON.parse reads; they must give the same verdict, message included. */
const bothVerdicts = (text: string, rules: JsonTextRules) => ({
  full: inspectJsonText(text, rules),
  parsed: inspectParsedJsonText(text, JSON.parse(text), rules),
});

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('inspectParsedJsonText', () => {
  it.each([
    ['{}', canonical, 'ok'],
    ['{"a":1,"b":"x:y","c":true,"d":false,"e":null,"f":[1,{"g":2}]}', canonical, 'ok'],
    ['{ "a" : 1 , "b" : [ ] }', canonical, 'ok'],
    ['{"a":12345678901234567890123}', canonical, 'ok'],
    ['{"a":-12}', canonical, 'ok'],
    ['{"a":-12}', integer, 'number_form'],
    ['{"a":57.3}', canonical, 'ok'],
    ['{"a":57.3}', integer, 'number_form'],
    ['{"a":1000.0}', canonical, 'number_form'],
    ['{"a":2e5}', canonical, 'number_form'],
    ['{"a":1E+2}', canonical, 'number_form'],
    ['{"a":1,"a":2}', canonical, 'duplicate_key'],
    ['{"a":1,"a":1}', canonical, 'duplicate_key'],
    ['{"a":{"b":1,"b":1},"c":2}', canonical, 'duplicate_key'],
    ['{"a":[{"b":1},{"b":1,"b":2}]}', canonical, 'duplicate_key'],
    ['{"ab":1,"a\\u0062":2}', canonical, 'duplicate_key'],
    ['{"__proto__":1,"__proto__":2}', canonical, 'duplicate_key'],
    ['{"2":1,"1":2}', canonical, 'ok'],
    ['{"a":"x\\u0000y"}', canonical, 'nul_character'],
    ['{"a":"\\ud800"}', canonical, 'lone_surrogate'],
    ['{"a":"x\ud800"}', canonical, 'lone_surrogate'],
    ['{"a":"🎵 raw pair"}', canonical, 'ok'],
    ['{"a":"say \\"hi\\": there"}', canonical, 'ok'],
    ['{"a":[[[[[[[1]]]]]]]}', canonical, 'ok'],
    ['{"a":[[[[[[[[1]]]]]]]]}', canonical, 'too_deep'],
    ['{"genres":["pop"],"name":"x"}', scalars, 'ok'],
    ['{"genres":["pop"],"name":{"a":1}}', scalars, 'field_kind'],
    ['[1,2]', canonical, 'not_an_object'],
    ['"text"', canonical, 'not_an_object'],
    ['null', canonical, 'not_an_object'],
  ])('%s -> the same verdict as the full pass (%s)', (text, rules, expected) => {
    const { full, parsed } = bothVerdicts(text, rules);
    expect(parsed).toEqual(full);
    expect(parsed?.code ?? 'ok').toBe(expected);
  });

  it('falls back to the full pass when JSON.parse refused the text (nothing parsed)', () => {
    expect(inspectParsedJsonText('{"a":1,}', undefined, canonical)?.code).toBe('not_json');
  });

  it('agrees with the full pass on any JSON, including repeated keys and any number form', () => {
    const withRepeats = fc.tuple(fc.json({ maxDepth: 4 }), fc.nat(), fc.nat()).map(([text, at, from]) => {
      // Copies one `"key":value` pair of the text onto another object position to make repeats likely.
      const pairs = [...text.matchAll(/"[^"\\]*":(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|"[^"\\]*")/g)];
      if (pairs.length === 0) return `{"k":${text}}`;
      const pair = pairs[at % pairs.length]![0];
      const opens = [...text.matchAll(/\{/g)].map((m) => m.index);
      if (opens.length === 0) return `{${pair},"k":${text}}`;
      const open = opens[from % opens.length]!;
      const rest = text.slice(open + 1);
      return `${text.slice(0, open + 1)}${pair}${rest.startsWith('}') ? '' : ','}${rest}`;
    });
    const text = fc.oneof(
      fc.json({ maxDepth: 5 }),
      withRepeats,
      fc.json({ maxDepth: 2 }).map((t) => `{"v":${t}}`),
    );
    const rules = fc.constantFrom(canonical, integer, scalars, { ...canonical, maxDepth: 2 });
    fc.assert(
      fc.property(text, rules, (t, r) => {
        fc.pre(parses(t)); // a copied pair can land inside a string
        const { full, parsed } = bothVerdicts(t, r);
        expect(parsed).toEqual(full);
      }),
      { seed: 20261203, numRuns: 5000 },
    );
  });
});
