import { helpText, parseCli } from '@spotify-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { loaderCli, loaderCommand } from './command.js';

const command = (...argv: string[]) => {
  const parsed = parseCli(loaderCli, argv);
  return parsed.kind === 'run' ? loaderCommand(parsed.positionals) : parsed.kind;
};

describe('the loader command line', () => {
  it('takes load or batch, and hands what follows -- to dbt', () => {
    expect(command('load')).toEqual({ command: 'load', dbtArgs: [] });
    expect(command('batch', '--', '--select', 'marts')).toEqual({
      command: 'batch',
      dbtArgs: ['--select', 'marts'],
    });
    expect(command('--help')).toBe('help');
  });

  it.each([
    [[], /^a command is required: load or batch/],
    [['lod'], /^unknown command 'lod'; did you mean load\? \(commands: load, batch\)$/],
    [['transform'], /^unknown command 'transform' \(commands: load, batch\)$/],
    [['batch', '--select', 'marts'], /unknown option --select/],
  ])('refuses %j in one line', (argv, message) => {
    expect(() => command(...argv)).toThrow(message);
  });

  it('lists the settings it reads, required ones marked', () => {
    expect(helpText(loaderCli)).toMatch(/LAKE_BUCKET\*.*WAREHOUSE /s);
  });
});
