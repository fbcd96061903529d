import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages export a "source" condition pointing at their TypeScript, so tests never run a stale build.
const conditions = { resolve: { conditions: ['source', ...defaultClientConditions] } };

// Unit tests sit beside the code and need nothing running. Integration tests live under each package's
// test/ folder and start the real components they need through the harness (harness/src). The suites that need
// the single-node Kubernetes cluster (kubelet, CoreDNS, KEDA, skaffold) are a project of their own: `npm test` runs them last,
// so that a cold run builds the cluster's components while everything else is tested.
const clusterSuites = [
  'harness/test/cluster.test.ts',
  'harness/test/skaffold.test.ts',
  'e2e/pipeline-in-pods.test.ts',
  'e2e/duckdb-in-pods.test.ts',
  'e2e/keda-autoscaling.test.ts',
];
const integrationSettings = { testTimeout: 180_000, hookTimeout: 240_000, fileParallelism: false };
export default defineConfig({
  ...conditions,
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '{services,operator,harness}/**/src/**/*.test.ts',
            'scripts/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          // Unit tests run beside the integration suites in one run: a loaded machine must not fail them.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{services,operator,harness}/**/test/**/*.test.ts', 'e2e/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', ...clusterSuites],
          ...integrationSettings,
        },
      },
      {
        extends: true,
        test: { name: 'cluster', include: clusterSuites, ...integrationSettings },
      },
    ],
  },
});
