// The five mistakes of a new user's first minutes, each run as the user runs it (a real process) and each
// answered with one clear line: a wrong flag, a missing variable, a bad value, a bad path, and --help on a
// machine where nothing is installed yet.
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { helpText, VERSION } from '@spotify-pipeline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { HELP_FILE, localCli } from './local/cli.js';

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'first-minutes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? root,
        env: options.env ?? { ...process.env, LOG_FORMAT: 'json' },
        timeout: 120_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A TypeScript entry point run from its sources, as npm start and the images' commands run it. */
const tsEntry = (entry: string, args: string[], env?: NodeJS.ProcessEnv) =>
  run(process.execPath, ['--conditions=source', '--import', 'tsx', entry, ...args], env ? { env } : {});

/** One line on stderr, nothing on stdout, no stack trace, exit 2 (nothing was done). */
function expectOneLine(result: Run, line: RegExp): void {
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/\n\s+at |\.ts:\d+/);
  expect(result.code).toBe(2);
}

// Each test starts a process or two (a few seconds each on a busy machine): no timed assertion here.
describe("a new user's first minutes", { timeout: 120_000 }, () => {
  it('--help on a cold machine answers from the script alone: nothing installed, npm never called', async () => {
    expect(
      readFileSync(HELP_FILE, 'utf8'),
      'scripts/local/help.txt is stale: npx tsx --conditions=source scripts/local/cli.ts',
    ).toBe(helpText(localCli));
    const cold = join(scratch, 'cold-clone');
    for (const file of ['package.json', 'scripts/local.sh', 'scripts/lib.sh', 'scripts/local/help.txt']) {
      mkdirSync(dirname(join(cold, file)), { recursive: true });
      cpSync(join(root, file), join(cold, file));
    }
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['npm', 'npx']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} was called" >&2\nexit 99\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const env = { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin` };
    const help = await run('bash', [join(cold, 'scripts/local.sh'), '--help'], { cwd: cold, env });
    expect(help).toEqual({ code: 0, stdout: helpText(localCli), stderr: '' });
    const version = await run('bash', [join(cold, 'scripts/local.sh'), '--listeners', '5', '-V'], {
      cwd: cold,
      env,
    });
    expect(version).toEqual({
      code: 0,
      stdout: `npm start ${VERSION} (node ${process.versions.node})\n`,
      stderr: '',
    });
    expect(existsSync(join(cold, 'node_modules'))).toBe(false);
  });

  it('a wrong flag: one line naming it and the flag meant, before anything is installed', async () => {
    expectOneLine(
      await tsEntry('scripts/local.ts', ['--listners', '5']),
      /^npm start: unknown option --listners; did you mean --listeners\? \(--help lists them\)$/,
    );
  });

  it('a missing variable: one line naming every setting that is missing', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json' };
    expectOneLine(
      await tsEntry('services/loader/src/cli.ts', ['load'], env),
      /^spotify-loader: invalid configuration: LAKE_ENDPOINT: is required: the URL of the S3-compatible lake, such as http:\/\/minio.minio:9000; LAKE_BUCKET: is required \(string\)/,
    );
  });

  it('a bad value: one line with the option, its range and what was typed', async () => {
    expectOneLine(
      await tsEntry('scripts/local.ts', ['--listeners', 'many']),
      /^npm start: --listeners must be a whole number from 1 to 10,000,000, got "many"$/,
    );
  });

  it('a bad path: one line saying what is wrong with it', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a folder');
    expectOneLine(
      await tsEntry('scripts/local.ts', ['--out', file]),
      /^npm start: --out .*a-file: not a folder this run can write to \(a file is in the way\)$/,
    );
    expectOneLine(
      await tsEntry('operator/src/cli/plan.ts', ['-f', join(scratch, 'pipeline.yaml')]),
      /^plan: .*pipeline\.yaml: no such file \(looked for \//,
    );
  });
});
