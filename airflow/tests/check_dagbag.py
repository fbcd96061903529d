"""Imports airflow/dags with Airflow's DagBag and checks the batch DAG; exits non-zero on any problem."""

from __future__ import annotations

import sys
from pathlib import Path

from airflow.dag_processing.dagbag import DagBag

dags = Path(__file__).resolve().parent.parent / "dags"
bag = DagBag(dag_folder=str(dags), safe_mode=False)
problems: list[str] = [f"import error in {path}: {err}" for path, err in bag.import_errors.items()]
dag = bag.dags.get("spotify_pipeline_batch")
if dag is None:
    problems.append(f"DAG spotify_pipeline_batch not found (found {sorted(bag.dags)})")
else:
    task = dag.get_task("load_and_transform")
    if type(task).__name__ != "KubernetesPodOperator":
        problems.append(f"load_and_transform is a {type(task).__name__}")
    if list(task.arguments) != ["batch"] or list(task.cmds) != ["spotify-loader"]:
        problems.append(f"unexpected command {task.cmds} {task.arguments}")
    if dag.max_active_runs != 1:
        problems.append("max_active_runs must be 1")
for p in problems:
    print(p, file=sys.stderr)
print(f"DagBag: {len(bag.dags)} DAG(s), {len(bag.import_errors)} import error(s)")
sys.exit(1 if problems else 0)
