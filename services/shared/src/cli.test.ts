import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliSpec, closest, helpText, numberOption, parseCli, versionText } from './cli.js';
import { VERSION } from './version.js';

const spec: CliSpec = {
  name: 'demo',
  usage: '[options]',
  summary: 'Does one thing.',
  options: {
    listeners: { type: 'string', arg: 'N', help: 'simulated listeners' },
    once: { type: 'boolean', help: 'stop after one round' },
  },
  details: 'Settings: DEMO_URL.',
};

describe('the command-line helper every command uses', () => {
  it('prints one help shape: usage, summary, options with the built-ins, details', () => {
    expect(helpText(spec)).toBe(`Usage: demo [options]

Does one thing.

Options:
  --listeners N  simulated listeners
  --once         stop after one round
  -h, --help     show this help
  -V, --version  print the version

Settings: DEMO_URL.
`);
    expect(versionText(spec)).toBe(`demo ${VERSION} (node ${process.versions.node})\n`);
  });

  it('answers --help and --version first, whatever else is on the line (but not after --)', () => {
    expect(parseCli(spec, ['--bogus', '--help']).kind).toBe('help');
    expect(parseCli(spec, ['-h']).kind).toBe('help');
    expect(parseCli(spec, ['--listeners', 'x', '-V']).kind).toBe('version');
    expect(() => parseCli(spec, ['--', '--help'])).toThrow(/takes no arguments/);
  });

  it('reads options strictly', () => {
    expect(parseCli(spec, ['--listeners', '5', '--once'])).toEqual({
      kind: 'run',
      values: { listeners: '5', once: true },
      positionals: [],
    });
    expect(() => parseCli(spec, ['--listners', '5'])).toThrow(
      'unknown option --listners; did you mean --listeners? (--help lists them)',
    );
    expect(() => parseCli(spec, ['--xyz'])).toThrow(/^unknown option --xyz \(--help lists them\)$/);
    expect(() => parseCli(spec, ['--listeners'])).toThrow('--listeners needs a value: --listeners N');
  });

  it('guesses the option a typo meant, and nothing when none is close', () => {
    const known = ['users', 'events-per-user', 'peak-factor', 'json', 'help'];
    expect(closest('usres', known)).toBe('users');
    expect(closest('user', known)).toBe('users');
    expect(closest('peak-facotr', known)).toBe('peak-factor');
    expect(closest('jsno', known)).toBe('json');
    expect(closest('events', known)).toBe('events-per-user');
    expect(closest('kubeconfig', known)).toBeUndefined();
    expect(closest('x'.repeat(10_000), known)).toBeUndefined();
  });

  it.each([
    ['12', 12],
    ['+7', 7],
    [undefined, undefined],
  ])('takes %j as a bounded number', (raw, expected) => {
    expect(numberOption({ n: raw }, 'n', { min: 1, max: 100 })).toBe(expected);
  });

  it.each(['0', '101', '1.5', 'ten', '', '1e2', '-3', '0x10', ' '])(
    'refuses %j naming the option and bounds',
    (raw) => {
      expect(() => numberOption({ n: raw }, 'n', { min: 1, max: 100 })).toThrow(
        `--n must be a whole number from 1 to 100, got "${raw}"`,
      );
    },
  );

  it('is one version for every package, the chart and the images', () => {
    const root = join(import.meta.dirname, '../../..');
    const workspaces = [
      'services/shared',
      'services/simulator',
      'services/lake-writer',
      'services/loader',
      'operator',
    ];
    for (const w of workspaces)
      expect(JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8')).version, w).toBe(VERSION);
    expect(readFileSync(join(root, 'charts/spotify-pipeline/Chart.yaml'), 'utf8')).toContain(
      `appVersion: "${VERSION}"`,
    );
  });
});
