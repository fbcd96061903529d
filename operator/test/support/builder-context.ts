import type { BuildContext } from '../../src/builders/context.js';
import { applyDefaults } from '../../src/crd/defaults.js';
import {
  API_VERSION,
  KIND,
  type PipelineSpec,
  type SpotifyPipeline,
  specNode,
} from '../../src/crd/spotify-pipeline.js';
import { planCapacity, planInputFromSpec } from '../../src/plan/capacity-plan.js';

/** A defaulted pipeline for builder tests; `spec` is merged over a minimal Strimzi-mode spec. */
export function testPipeline(spec: Record<string, unknown> = {}): SpotifyPipeline {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'wrapped', namespace: 'music', uid: 'uid-1', generation: 1 },
    spec: applyDefaults<PipelineSpec>(specNode.schema, {
      audience: { users: 5_000_000 },
      kafka: { strimzi: { cluster: 'events', namespace: 'kafka' } },
      lake: { endpoint: 'http://minio.minio:9000', bucket: 'spotify-lake', credentialsSecret: 'lake-creds' },
      warehouse: { type: 'snowflake', credentialsSecret: 'snowflake-creds', database: 'SPOTIFY' },
      sources: [{ type: 'simulator', eventsPerSecond: 2000 }],
      ...spec,
    }),
  };
}

export function testContext(spec: Record<string, unknown> = {}): BuildContext {
  const pipeline = testPipeline(spec);
  return {
    pipeline,
    plan: planCapacity(planInputFromSpec(pipeline.spec)),
    images: {
      sources: { simulator: 'sim:1', spotify_api: 'poller:1', history_import: 'import:1' },
      lakeWriter: 'lw:1',
      loader: 'loader:1',
      transformer: 'dbt:1',
      insights: 'insights:1',
    },
  };
}
