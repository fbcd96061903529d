import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '@spotify-pipeline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { planCli, runPlan } from './plan.js';

const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repo = join(import.meta.dirname, '../../..');

/** What the command does with argv, as runCli would: the parsed options handed to runPlan. */
function plan(...argv: string[]): string {
  const parsed = parseCli(planCli, argv);
  if (parsed.kind !== 'run') return parsed.kind;
  return runPlan(parsed.values);
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const PIPELINE = `apiVersion: pipeline.spotify-pipeline.io/v1alpha1
kind: SpotifyPipeline
metadata: {name: big, namespace: music}
spec:
  audience: {users: 5000000}
  kafka: {strimzi: {cluster: events}}
  lake: {endpoint: "http://minio:9000", bucket: lake, credentialsSecret: lake-creds}
`;

describe('plan CLI', () => {
  it('explains the numbers for 5 million listeners', () => {
    const out = plan('--users', '5000000');
    expect(out).toContain('partitions: 11');
    expect(out).toContain('peak events/s: 13889');
    expect(out).toMatch(/average rate: 5,000,000 users x 80 events\/day/);
  });

  it('prints JSON and keeps the current partition count', () => {
    const figures = JSON.parse(plan('--users', '1000', '--current-partitions', '24', '--json'));
    expect(figures.partitions).toBe(24);
    expect(figures.lakeWriters.max).toBe(24);
  });

  it('answers --help and --version, even beside a wrong flag', () => {
    expect(plan('--help')).toBe('help');
    expect(plan('--usres', '5', '-h')).toBe('help');
    expect(plan('--version')).toBe('version');
  });

  it('plans a SpotifyPipeline file as the flags would, with the same defaults', () => {
    expect(plan('-f', file('big.yaml', PIPELINE))).toBe(plan('--users', '5000000'));
  });

  it('plans the repository samples, with -f relative to where npm was started', () => {
    const sample = runPlan({ file: 'manifests/samples/strimzi-keda.yaml' });
    expect(sample).toMatch(/^partitions: \d+/);
    process.env.INIT_CWD = repo;
    try {
      expect(runPlan({ file: 'manifests/samples/external-kafka.yaml' })).toContain('brokers: n/a (external)');
    } finally {
      delete process.env.INIT_CWD;
    }
  });

  it.each([
    ['a missing --users', [], /^--users is required, e\.g\. plan --users 5000000/],
    [
      'a word for a number',
      ['--users', 'many'],
      /^--users must be a whole number from 1 to 10,000,000,000, got "many"$/,
    ],
    ['a fraction of a listener', ['--users', '2.5'], /--users must be a whole number/],
    [
      'a value past the CRD maximum',
      ['--users', '1e12'],
      /--users must be a whole number from 1 to 10,000,000,000, got "1e12"/,
    ],
    [
      'a peak factor below 1',
      ['--users', '10', '--peak-factor', '0.5'],
      /--peak-factor must be a number from 1 to 100, got "0.5"/,
    ],
    ['a flag without its value', ['--users'], /^--users needs a value: --users N$/],
    [
      'a wrong flag',
      ['--usres', '5'],
      /^unknown option --usres; did you mean --users\? \(--help lists them\)$/,
    ],
    ['a stray argument', ['5000000'], /takes no arguments, only options/],
    [
      '-f beside spec flags',
      ['-f', 'x.yaml', '--users', '3'],
      /-f takes the whole spec from the file: drop --users or drop -f/,
    ],
  ])('refuses %s in one line', (_what, argv, message) => {
    expect(() => plan(...argv)).toThrow(message);
  });

  it.each([
    ['a path that does not exist', () => join(dir, 'nope.yaml'), /nope\.yaml: no such file \(looked for \//],
    ['a folder', () => dir, /is a folder: give the SpotifyPipeline's YAML file/],
    ['an empty file', () => file('empty.yaml', ''), /holds no SpotifyPipeline \(it is empty\)/],
    [
      'another kind',
      () => file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\n'),
      /holds no SpotifyPipeline \(found: ConfigMap\)/,
    ],
    ['two pipelines', () => file('two.yaml', `${PIPELINE}---\n${PIPELINE}`), /holds 2 SpotifyPipelines/],
    ['broken YAML', () => file('broken.yaml', 'kind: SpotifyPipeline\nspec: [\n'), /not valid YAML/],
    [
      'a wrong apiVersion',
      () => file('v1.yaml', PIPELINE.replace('v1alpha1', 'v1')),
      /apiVersion must be pipeline\.spotify-pipeline\.io\/v1alpha1/,
    ],
    [
      'a typo in a field name',
      () => file('typo.yaml', PIPELINE.replace('audience: {users', 'audience: {userz: 1, users')),
      /spec\.audience: Unrecognized key: "userz"/,
    ],
    [
      'a bad value',
      () => file('bad.yaml', PIPELINE.replace('users: 5000000', 'users: 0')),
      /spec\.audience\.users: Too small: expected number to be >=1/,
    ],
    [
      'a missing required field',
      () => file('nolake.yaml', PIPELINE.replace(/ {2}lake:.*\n/, '')),
      /spec\.lake: is required/,
    ],
    [
      'an alias bomb',
      () =>
        file(
          'bomb.yaml',
          `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 60 }, (_, i) => `b${i}: &b${i} [*${i ? `b${i - 1}` : 'a'}, *${i ? `b${i - 1}` : 'a'}]`).join('\n')}\n`,
        ),
      /alias|Excessive/i,
    ],
    [
      'a huge file',
      () => file('huge.yaml', `# ${'x'.repeat(2 * 1024 * 1024)}\n`),
      /is 2\.1 MB: a SpotifyPipeline is a few KB/,
    ],
  ])('refuses %s in one line that names the file', (_what, path, message) => {
    expect(() => runPlan({ file: path() })).toThrow(message);
  });
});
