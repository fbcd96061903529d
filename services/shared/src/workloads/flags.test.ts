import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { env } from '../config.js';
import { ConfigError } from '../errors.js';
import { type FlagTable, flagsToEnv, loadWorkloadConfig } from './flags.js';

const table: FlagTable = {
  command: { name: 'x', usage: '[options] PATH...', summary: 'Does x.', details: 'Logs on stderr.' },
  flags: {
    rate: { type: 'string', env: 'X_RATE', arg: 'N', help: 'events/s' },
    'no-catalog': { type: 'boolean', env: 'X_CATALOG', value: 'false', help: 'skip the catalog' },
  },
  positionals: { env: 'X_PATHS', separator: ':' },
};
const schema = z.object({
  X_RATE: env.int(5).pipe(z.number().min(1, 'must be at least 1')),
  X_CATALOG: env.bool(true),
  X_PATHS: z.string().optional(),
});

describe('command-line flags as env variables', () => {
  it('sets the variable each flag names, and joins positionals', () => {
    expect(flagsToEnv(['--rate', '7', '--no-catalog', 'a', 'b'], table)).toEqual({
      X_RATE: '7',
      X_CATALOG: 'false',
      X_PATHS: 'a:b',
    });
    expect(flagsToEnv(['-h'], table)).toBe('help');
    expect(flagsToEnv(['--version'], table)).toBe('version');
  });

  it('lays flags over the environment and keeps the schema defaults for the rest', () => {
    expect(loadWorkloadConfig(schema, ['--no-catalog'], table, { X_RATE: '9', X_CATALOG: 'true' })).toEqual({
      X_RATE: 9,
      X_CATALOG: false,
    });
    expect(loadWorkloadConfig(schema, [], table, {})).toEqual({ X_RATE: 5, X_CATALOG: true });
  });

  it('names the flag beside the variable when a flag set a bad value', () => {
    expect(() => loadWorkloadConfig(schema, ['--rate', '0'], table, {})).toThrow(
      'X_RATE (--rate): must be at least 1',
    );
    expect(() => loadWorkloadConfig(schema, [], table, { X_RATE: '0' })).toThrow(
      /X_RATE: must be at least 1/,
    );
  });

  it('refuses an unknown flag with a ConfigError that guesses the meant one', () => {
    expect(() => flagsToEnv(['--rat', '1'], table)).toThrow(ConfigError);
    expect(() => flagsToEnv(['--rat', '1'], table)).toThrow(
      'unknown option --rat; did you mean --rate? (--help lists them)',
    );
  });

  it('answers --help with every flag and the variable it sets, before reading any setting', () => {
    let printed = '';
    const out = { write: (text: string) => (printed += text) };
    expect(loadWorkloadConfig(schema, ['--help'], table, { X_RATE: 'broken' }, out)).toBe('answered');
    expect(printed).toMatch(/^Usage: x \[options\] PATH\.\.\.\n\nDoes x\.\n\nOptions:\n/);
    expect(printed).toMatch(/--rate N +events\/s \[X_RATE\]/);
    expect(printed).toContain('[X_CATALOG=false]');
    expect(printed).toContain('Every setting is an environment variable');
    expect(printed).toMatch(/Logs on stderr\.\n$/);
  });
});
