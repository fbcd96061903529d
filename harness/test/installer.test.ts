import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeWorkdir, repoRoot } from '../src/index.js';

const installer = join(repoRoot, 'scripts/install-components.sh');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [installer, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** A PATH with the shell's basics and no toolchain, and an empty home and cache under `dir`. */
function bareMachine(dir: string): NodeJS.ProcessEnv {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of ['bash', 'dirname', 'mkdir', 'date', 'rm', 'touch'])
    symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  return { PATH: bin, HOME: dir, SP_CACHE: dir };
}

describe('scripts/install-components.sh', () => {
  it('reuses what is cached and says so', async () => {
    const result = await run(['kafka', 'versitygw'], process.env);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/kafka [\d.]+: cached/);
    expect(result.output).toMatch(/versitygw v[\d.]+: cached/);
  });

  it('names the missing toolchain and what to install when one is absent', async () => {
    const cache = makeWorkdir('empty-cache');
    try {
      // No Maven, as on a machine without Java tooling.
      const result = await run(['kafka'], bareMachine(cache.path));
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/mvn is missing: install Maven/);
    } finally {
      cache.remove();
    }
  });

  it('finishes every lane of a group and then fails, naming the first error', async () => {
    const cache = makeWorkdir('lanes-cache');
    try {
      // Neither Go nor apt-get: the download lane and the build lane of "base" both fail at their first component.
      const result = await run(['base'], bareMachine(cache.path));
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/apt-get is missing/);
      expect(result.output).toMatch(/go is missing: install Go/);
      expect(result.output).toMatch(/a component failed to install: the first ERROR line above says which/);
    } finally {
      cache.remove();
    }
  });

  it('rejects an unknown component with the list of known ones', async () => {
    const result = await run(['kafak'], process.env);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(
      /unknown component 'kafak' \(known: apt kafka .*kube-node coredns node-tools keda keda-config .*metrics-server .*node-runtimes; groups: base cluster all\)/,
    );
  });
});
