import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentPaths, requireComponent } from '@spotify-pipeline/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import { cronProblem } from '../src/builders/cron-schedule.js';
import { buildAirflowDagConfigMap } from '../src/builders/schedule.js';
import { ADMITTED_SCHEDULES } from './schedule-corpus.js';
import { testContext } from './support/builder-context.js';

// Airflow itself (scripts/install-components.sh airflow) imports the DAGs the operator generates: the
// default one, and one per admitted schedule, each asked for its next run the way the scheduler asks.
const airflowPython = () => requireComponent(componentPaths().airflowPython, 'airflow');

const check = `
import json, sys
import pendulum
from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.encoders import coerce_to_core_timetable
from airflow.timetables.base import TimeRestriction
bag = DagBag(dag_folder=sys.argv[1], safe_mode=False)
for path, err in bag.import_errors.items():
    print(json.dumps({"file": path.split("/")[-1], "error": err.strip().splitlines()[-1]}))
now = pendulum.now("UTC")
for dag_id, dag in bag.dags.items():
    load = dag.get_task("load")
    try:
        info = coerce_to_core_timetable(dag.timetable).next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(earliest=now, latest=None, catchup=False),
        )
        next_run = info and info.run_after.isoformat()
    except Exception as e:
        next_run = None
    print(json.dumps({"dag": dag_id, "task": type(load).__name__, "downstream": sorted(load.downstream_task_ids),
                      "arguments": load.arguments, "max_active_runs": dag.max_active_runs, "next_run": next_run,
                      "volumes": [v.persistent_volume_claim.claim_name for v in load.volumes if v.persistent_volume_claim],
                      "mounts": [m.mount_path for m in load.volume_mounts],
                      "affinity_topology": [t.topology_key for t in (load.affinity.pod_affinity.required_during_scheduling_ignored_during_execution if load.affinity else [])]}))
`;

type Line = { file?: string; error?: string; dag?: string; next_run?: string | null } & Record<
  string,
  unknown
>;
let lines: Line[] = [];

/** The DAG of the pipeline `name` (namespace music) on `load`, written where DagBag reads it. */
function writeDag(dir: string, name: string, load?: string, spec: Record<string, unknown> = {}) {
  const ctx = testContext({ schedule: { orchestrator: 'airflow', ...(load ? { load } : {}) }, ...spec });
  ctx.pipeline.metadata.name = name;
  const cm = buildAirflowDagConfigMap(ctx);
  for (const [file, source] of Object.entries((cm?.data ?? {}) as Record<string, string>))
    writeFileSync(join(dir, file), source);
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-operator-dag-'));
  const dags = join(dir, 'dags');
  mkdirSync(dags);
  writeDag(dags, 'wrapped');
  writeDag(dags, 'duck', undefined, { warehouse: { type: 'duckdb' } });
  for (const [i, schedule] of ADMITTED_SCHEDULES.entries()) writeDag(dags, `s${i}`, schedule);
  writeFileSync(join(dir, 'check.py'), check);
  const output = await new Promise<string>((done) => {
    execFile(
      airflowPython(),
      [join(dir, 'check.py'), dags],
      { env: { ...process.env, AIRFLOW_HOME: join(dir, 'airflow') }, maxBuffer: 16 * 2 ** 20 },
      (_error, stdout, stderr) => done(stdout + stderr),
    );
  });
  lines = output
    .split('\n')
    .filter((l) => l.startsWith('{"'))
    .map((l) => JSON.parse(l) as Line);
  if (!lines.some((l) => l.dag)) throw new Error(`Airflow imported no DAG:\n${output}`);
}, 180_000);

describe('generated Airflow DAG', () => {
  it('imports with DagBag: load >> transform as KubernetesPodOperators running the loader', () => {
    expect(lines.filter((l) => l.error)).toEqual([]);
    expect(lines.find((l) => l.dag === 'spotify_pipeline__music__wrapped')).toMatchObject({
      task: 'KubernetesPodOperator',
      downstream: ['transform'],
      arguments: ['load'],
      max_active_runs: 1,
    });
  });

  it('mounts the DuckDB volume in the tasks of a DuckDB pipeline, next to the insights pod', () => {
    expect(lines.find((l) => l.dag === 'spotify_pipeline__music__duck')).toMatchObject({
      volumes: ['duck-duckdb'],
      mounts: ['/var/lib/spotify-pipeline/duckdb'],
      affinity_topology: ['kubernetes.io/hostname'],
      max_active_runs: 1,
    });
    expect(lines.find((l) => l.dag === 'spotify_pipeline__music__wrapped')).toMatchObject({
      volumes: [],
      mounts: [],
      affinity_topology: [],
    });
  });

  it('is reported published only for a schedule Airflow runs; what never runs is refused with a reason', () => {
    const verdicts = ADMITTED_SCHEDULES.map((schedule, i) => ({
      schedule,
      airflowRuns: Boolean(lines.find((l) => l.dag === `spotify_pipeline__music__s${i}`)?.next_run),
      operator: cronProblem(schedule)?.kind ?? 'runs',
    }));
    // A range that runs backwards is refused although Airflow would wrap it around (Kubernetes refuses it;
    // the reason says both): everything else the operator publishes Airflow runs, and nothing more.
    expect(verdicts).toEqual(
      verdicts.map((v) => ({
        ...v,
        operator: v.airflowRuns ? expect.stringMatching(/^(runs|backwards)$/) : 'never',
      })),
    );
    expect(verdicts.filter((v) => !v.airflowRuns)).toHaveLength(3);
  });
});
