import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentPaths, requireComponent } from '@spotify-pipeline/harness';
import { describe, expect, it } from 'vitest';
import { buildAirflowDagConfigMap } from '../src/builders/schedule.js';
import { testContext } from '../src/builders/test-fixtures.js';

// Airflow itself (scripts/install-components.sh airflow) imports the DAG the operator generates.
const airflowPython = () => requireComponent(componentPaths().airflowPython, 'airflow');

const check = `
import sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
for path, err in bag.import_errors.items():
    print(f"import error in {path}: {err}")
for dag_id, dag in bag.dags.items():
    load = dag.get_task("load")
    print(dag_id, type(load).__name__, sorted(load.downstream_task_ids), load.arguments, dag.max_active_runs)
`;

describe('generated Airflow DAG', () => {
  it('imports with DagBag: load >> transform as KubernetesPodOperators running the loader', async () => {
    const cm = buildAirflowDagConfigMap(testContext({ schedule: { orchestrator: 'airflow' } }));
    const dir = mkdtempSync(join(tmpdir(), 'sp-operator-dag-'));
    for (const [file, source] of Object.entries((cm?.data ?? {}) as Record<string, string>)) {
      writeFileSync(join(dir, file), source);
    }
    const script = join(dir, '..', `check-${process.pid}.py`);
    writeFileSync(script, check);
    const output = await new Promise<string>((done) => {
      execFile(
        airflowPython(),
        [script, dir],
        { env: { ...process.env, AIRFLOW_HOME: mkdtempSync(join(tmpdir(), 'sp-airflow-')) } },
        (_error, stdout, stderr) => done(stdout + stderr),
      );
    });
    expect(output).not.toContain('import error');
    expect(output).toContain(
      "spotify_pipeline__music__wrapped KubernetesPodOperator ['transform'] ['load'] 1",
    );
  }, 120_000);
});
