/** PostgreSQL on the host, or DuckDB on a volume of the named storage class. */
export type WarehouseSettings =
  | { type: 'postgres'; host: string; port: number; user: string; password: string; database: string }
  | { type: 'duckdb'; storageClassName: string; storage: string };

/**
 * What `kubectl apply` gets for a pipeline in pods on the test node, in external-Kafka mode: the harness's
 * Kafka, S3 server and PostgreSQL run on the host and pods reach them at the node's host address (Strimzi's
 * operator images cannot be pulled here). Pure: the endpoints and credentials are the run's own.
 */
export interface PipelineSettings {
  namespace: string;
  name: string;
  kafkaBootstrap: string;
  lake: { endpoint: string; region: string; bucket: string; accessKey: string; secretKey: string };
  warehouse: WarehouseSettings;
  users: number;
  eventsPerSecond: number;
  partitions: number;
  lakeWriters: number;
  /** Seconds a lake-writer batch may wait before it is flushed to the lake. */
  flushSeconds: number;
}

const LAKE_SECRET = 'lake-credentials';
const WAREHOUSE_SECRET = 'warehouse-credentials';

export function pipelineManifests(p: PipelineSettings): object[] {
  const secret = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: p.namespace },
    type: 'Opaque',
    stringData: data,
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: p.namespace } },
    secret(LAKE_SECRET, { LAKE_ACCESS_KEY: p.lake.accessKey, LAKE_SECRET_KEY: p.lake.secretKey }),
    ...(p.warehouse.type === 'postgres'
      ? [
          secret(WAREHOUSE_SECRET, {
            POSTGRES_HOST: p.warehouse.host,
            POSTGRES_PORT: String(p.warehouse.port),
            POSTGRES_USER: p.warehouse.user,
            POSTGRES_PASSWORD: p.warehouse.password,
          }),
        ]
      : []),
    {
      apiVersion: 'pipeline.spotify-pipeline.io/v1alpha1',
      kind: 'SpotifyPipeline',
      metadata: { name: p.name, namespace: p.namespace },
      spec: {
        audience: { users: p.users },
        kafka: {
          mode: 'external',
          external: { bootstrapServers: p.kafkaBootstrap, tls: false },
          topic: { partitions: p.partitions, replicas: 1 },
        },
        sources: [
          {
            type: 'simulator',
            eventsPerSecond: p.eventsPerSecond,
            replicas: 1,
            simulator: { groundTruth: true },
          },
        ],
        lakeWriter: {
          autoscaler: 'none',
          minReplicas: p.lakeWriters,
          batch: { maxAgeSeconds: p.flushSeconds },
          // Requests fit the one 2-core node next to the simulator, the operator and the load jobs.
          resources: { cpu: '300m', memory: '512Mi' },
        },
        lake: {
          endpoint: p.lake.endpoint,
          region: p.lake.region,
          bucket: p.lake.bucket,
          credentialsSecret: LAKE_SECRET,
        },
        warehouse:
          p.warehouse.type === 'postgres'
            ? { type: 'postgres', credentialsSecret: WAREHOUSE_SECRET, database: p.warehouse.database }
            : {
                type: 'duckdb',
                duckdb: { storageClassName: p.warehouse.storageClassName, storage: p.warehouse.storage },
              },
        // The load job on odd minutes, load + dbt (transform) on even ones.
        schedule: { orchestrator: 'cronjob', load: '1-59/2 * * * *', transform: '*/2 * * * *' },
      },
    },
  ];
}
