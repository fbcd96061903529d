"""Loads new bronze lake objects into the warehouse exactly once, then runs `dbt build`, on a schedule.

The same thing the operator's CronJob does, for teams that run Airflow: one KubernetesPodOperator running the
loader image's `spotify-loader batch`. Its exit code is the task's result (0 success, 1 load or dbt failure,
2 bad configuration). Settings reach the pod from a ConfigMap (lake endpoint and bucket, WAREHOUSE, dbt
paths) and a Secret (lake and warehouse credentials), never from this file.

Deployment-specific values come from the scheduler's environment, so the file parses without Airflow
Variables or a metadata database.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import DAG
from kubernetes.client import models as k8s

IMAGE = os.environ.get("SPOTIFY_PIPELINE_LOADER_IMAGE", "spotify-pipeline/loader:latest")
NAMESPACE = os.environ.get("SPOTIFY_PIPELINE_NAMESPACE", "music")
CONFIG_MAP = os.environ.get("SPOTIFY_PIPELINE_LOADER_CONFIG", "spotify-pipeline-loader")
SECRET = os.environ.get("SPOTIFY_PIPELINE_LOADER_SECRET", "spotify-pipeline-loader")
SCHEDULE = os.environ.get("SPOTIFY_PIPELINE_SCHEDULE", "*/15 * * * *")

with DAG(
    dag_id="spotify_pipeline_batch",
    description="Lake bronze -> warehouse (exactly once) -> dbt build (silver, gold)",
    schedule=SCHEDULE,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    # Loads are incremental and idempotent, but two at once would only contend for the same objects.
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2)},
    tags=["spotify-pipeline", "warehouse"],
) as dag:
    KubernetesPodOperator(
        task_id="load_and_transform",
        name="spotify-pipeline-batch",
        namespace=NAMESPACE,
        image=IMAGE,
        cmds=["spotify-loader"],
        arguments=["batch"],
        env_from=[
            k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name=CONFIG_MAP)),
            k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=SECRET)),
        ],
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "500m", "memory": "1Gi"},
            limits={"memory": "4Gi"},
        ),
        security_context=k8s.V1PodSecurityContext(run_as_non_root=True, seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault")),
        container_security_context=k8s.V1SecurityContext(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            capabilities=k8s.V1Capabilities(drop=["ALL"]),
        ),
        on_finish_action="delete_succeeded_pod",
        get_logs=True,
    )
