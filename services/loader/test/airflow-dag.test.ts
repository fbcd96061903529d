import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support.js';

// Airflow is several hundred MB: its venv is built by airflow/install.sh, on demand with SP_LONG=1.
const venv = join(process.env.SP_CACHE ?? join(homedir(), '.cache/spotify-pipeline'), 'airflow-3.3.2');
const installed = existsSync(join(venv, '.done'));

describe.runIf(installed || process.env.SP_LONG === '1')('Airflow DAG', () => {
  it('imports with DagBag: no import errors, one KubernetesPodOperator running `spotify-loader batch`', async () => {
    if (!installed) execFileSync('bash', [join(repoRoot, 'airflow/install.sh')], { stdio: 'inherit' });
    const result = await new Promise<{ code: number; output: string }>((done) => {
      execFile(
        join(venv, 'bin/python'),
        [join(repoRoot, 'airflow/tests/check_dagbag.py')],
        { env: { ...process.env, AIRFLOW_HOME: mkdtempSync(join(tmpdir(), 'sp-airflow-')) } },
        (error, stdout, stderr) =>
          done({
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            output: stdout + stderr,
          }),
      );
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('DagBag: 1 DAG(s), 0 import error(s)');
  });
});
