// The import rules of biome.json, checked by linting small files laid out as the repository is, with the
// repository's own configuration: each forbidden import fails the linter, each allowed one passes.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const biome = join(root, 'node_modules/.bin/biome');
const scratch = mkdtempSync(join(tmpdir(), 'house-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const config = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));

let probes = 0;
/** Lints one file holding `specifier`'s import at `path`; the linter's exit code and output. */
function lint(path: string, specifier: string): Promise<{ code: number; output: string }> {
  const dir = join(scratch, String(probes++));
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, 'biome.json'), JSON.stringify({ ...config, vcs: { enabled: false } }));
  writeFileSync(join(dir, path), `import { x } from '${specifier}';\n\nexport const y = x;\n`);
  return new Promise((resolve) => {
    execFile(biome, ['lint', path], { cwd: dir }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('the house rules on imports', { timeout: 60_000 }, () => {
  it.each([
    [
      'operator/src/controller/x.ts',
      '@spotify-pipeline/loader/loader',
      /the operator imports only the shared library/,
    ],
    [
      'operator/src/x.ts',
      '../../services/loader/src/loader.js',
      /never by a relative path out of its own folder/,
    ],
    [
      'services/loader/src/x.ts',
      '@spotify-pipeline/lake-writer/metrics',
      /a service imports only the shared library/,
    ],
    [
      'services/loader/src/x.ts',
      '../../lake-writer/src/metrics.js',
      /never by a relative path out of its own/,
    ],
    ['services/loader/test/x.test.ts', '../../lake-writer/src/encode-parquet.js', /out of its own folder/],
    ['services/lake-writer/test/support.ts', '../../../harness/src/index.js', /out of its own folder/],
    ['operator/test/crds/x.ts', '../../../services/shared/src/kafka.js', /out of its own folder/],
    ['harness/src/x.ts', '../../operator/src/kube/client.js', /out of its own folder/],
    ['bench/operator/run.ts', '../../operator/src/operator.js', /never a relative path into it/],
    ['bench/fuzz/run.ts', '../../services/loader/src/bronze-lines.js', /never a relative path into it/],
    [
      'bench/lake-writer/run.ts',
      '../../services/lake-writer/test/support.js',
      /never a relative path into it/,
    ],
    ['bench/images/run.ts', '../../harness/src/index.js', /never a relative path into it/],
    ['e2e/keda-burst.ts', '../services/lake-writer/test/support.js', /never a relative path into it/],
    ['scripts/local/x.ts', '../../harness/src/index.js', /never a relative path into it/],
    ['scripts/x.ts', '../operator/src/crd/generate.js', /never a relative path into it/],
    [
      'services/insights/src/api/x.ts',
      '@spotify-pipeline/harness',
      /a service imports only the shared library/,
    ],
    [
      'services/shared/src/x.ts',
      '@spotify-pipeline/harness',
      /the shared library depends on nothing else of ours/,
    ],
    [
      'harness/src/x.ts',
      '@spotify-pipeline/operator/kube/client',
      /the harness imports only the shared library/,
    ],
  ])('%s may not import %s', async (path, specifier, message) => {
    const { code, output } = await lint(path, specifier);
    expect(output).toMatch(message);
    expect(code).not.toBe(0);
  });

  it.each([
    ['operator/src/controller/x.ts', '@spotify-pipeline/shared/kafka'],
    ['operator/src/controller/x.ts', '../kube/client.js'],
    ['services/loader/src/x.ts', '@spotify-pipeline/shared/workloads'],
    ['services/loader/src/a/b.ts', '../../x.js'],
    ['services/loader/test/x.ts', '@spotify-pipeline/harness'],
    ['services/loader/src/x.test.ts', '@spotify-pipeline/harness'],
    ['services/lake-writer/test/x.test.ts', '../src/sample-event.js'],
    ['operator/test/crds/x.ts', '../../src/kube/client.js'],
    ['bench/operator/run.ts', '@spotify-pipeline/operator/testing/kube-helpers'],
    ['bench/operator-soak/run.ts', '../operator/cluster-simulator.js'],
    ['bench/cluster/run.ts', '../../scripts/kubernetes/pipeline-in-pods.js'],
    ['e2e/x.test.ts', '../scripts/local/reconcile.js'],
  ])('%s may import %s', async (path, specifier) => {
    expect(await lint(path, specifier)).toMatchObject({ code: 0 });
  });
});
