import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentPaths, requireComponent } from '@spotify-pipeline/harness';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support.js';

// Airflow itself (scripts/install-components.sh airflow, through airflow/install.sh) imports airflow/dags.
describe('Airflow DAG (airflow/dags)', () => {
  it('imports with DagBag: no import errors, one KubernetesPodOperator running `spotify-loader batch`', async () => {
    const python = requireComponent(componentPaths().airflowPython, 'airflow');
    const result = await new Promise<{ code: number; output: string }>((done) => {
      execFile(
        python,
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
