import { join } from 'node:path';
import { repoRoot } from '@spotify-pipeline/harness';
import { build } from 'vite';

/**
 * Builds the dashboard from its sources into `outDir` with the project's Vite config. Tests build their own
 * copy, so they never pass on stale assets, and a build error fails the test that needs the page.
 */
export async function buildDashboard(outDir: string): Promise<void> {
  await build({
    configFile: join(repoRoot, 'services/insights/web/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
}
