import { DUCKDB_DEFAULT_STORAGE } from '../crd/spotify-pipeline.js';
import {
  type BuildContext,
  type ChildObject,
  COMPONENT_LABEL,
  childMeta,
  names,
  PIPELINE_LABEL,
} from './context.js';

// DuckDB on Kubernetes: one file on a ReadWriteOnce volume. DuckDB lets one process write a file and no one
// else open it meanwhile, so exactly one job writes it (load, dbt build and the gold snapshot, in turn) and
// the insights service reads the snapshot the loader publishes beside it.

const MOUNT_PATH = '/var/lib/spotify-pipeline/duckdb';
const VOLUME = 'duckdb';

export const DUCKDB_FILES = {
  warehouse: `${MOUNT_PATH}/warehouse.duckdb`,
  /** The read-only copy of gold (and the load manifest) the loader publishes after each build. */
  snapshot: `${MOUNT_PATH}/gold-snapshot.duckdb`,
} as const;

/** Pods that mount the volume: the writer (the transform job) and the reader (insights). */
const DUCKDB_COMPONENTS = ['transform', 'insights'] as const;

export const usesDuckDbVolume = ({ pipeline }: BuildContext) => pipeline.spec.warehouse?.type === 'duckdb';

/**
 * The claim for the DuckDB file. Owned by the pipeline (deleted with it) under `deletionPolicy: Delete`;
 * under `Retain` it carries no owner reference, so it outlives the pipeline as the lake does. Null when the
 * warehouse is not DuckDB: a claim left from an earlier DuckDB spec is then kept, never deleted by a type
 * switch (the file may hold loads the lake has expired since).
 */
export function buildDuckDbClaim(ctx: BuildContext): ChildObject | null {
  if (!usesDuckDbVolume(ctx)) return null;
  const { pipeline } = ctx;
  const settings = pipeline.spec.warehouse?.duckdb;
  const metadata = childMeta(pipeline, names.duckdb(pipeline), 'warehouse');
  if (pipeline.spec.deletionPolicy !== 'Delete') delete metadata.ownerReferences;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata,
    spec: {
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      resources: { requests: { storage: settings?.storage ?? DUCKDB_DEFAULT_STORAGE } },
      ...(settings?.storageClassName ? { storageClassName: settings.storageClassName } : {}),
    },
  };
}

/** What a pod that uses the DuckDB file adds: the volume, its mount, and the node of the other users. */
export function duckDbPodParts(ctx: BuildContext, access: 'write' | 'read') {
  // `readOnly: false` is left out: the API server drops it (omitempty), and an object that never reads back
  // as applied would be applied again on every pass.
  const readOnly = access === 'read' ? { readOnly: true } : {};
  return {
    volume: { name: VOLUME, persistentVolumeClaim: { claimName: names.duckdb(ctx.pipeline), ...readOnly } },
    mount: { name: VOLUME, mountPath: MOUNT_PATH, ...readOnly },
    // A ReadWriteOnce volume attaches to one node: the writer and the reader must run there together. The
    // first of them may go anywhere (Kubernetes lets a pod that matches its own term start alone).
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: {
              matchExpressions: [
                { key: PIPELINE_LABEL, operator: 'In', values: [ctx.pipeline.metadata.name] },
                { key: COMPONENT_LABEL, operator: 'In', values: [...DUCKDB_COMPONENTS] },
              ],
            },
            topologyKey: 'kubernetes.io/hostname',
          },
        ],
      },
    },
  };
}
