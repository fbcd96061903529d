import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, repoRoot, requireComponent } from './paths.js';
import { freePort, portAccepts, waitUntil } from './ports.js';
import { startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface FakesnowInstance {
  readonly port: number;
  /** Settings for the loader, dbt and the insights service (`SNOWFLAKE_*`), with credentials made up here. */
  readonly env: Record<string, string>;
  /** dbt from the same venv, with dbt-snowflake installed. */
  readonly dbt: string;
  destroy(): Promise<void>;
}

/**
 * fakesnow's Snowflake-compatible HTTP server (DuckDB underneath) on a free loopback port, through the test
 * adapter in harness/fakesnow/serve.py (what it bridges for the Node driver is written there). Every session
 * shares one in-memory database, which is gone when the server stops. fakesnow checks no credential.
 */
export async function startFakesnow(): Promise<FakesnowInstance> {
  const paths = componentPaths();
  requireComponent(paths.fakesnowPython, 'snowflake');
  const dir = makeWorkdir('fakesnow');
  const tmp = join(dir.path, 'tmp');
  mkdirSync(tmp);
  const port = await freePort();
  const server = startProcess({
    name: 'fakesnow',
    command: paths.fakesnowPython,
    args: [join(repoRoot, 'harness/fakesnow/serve.py'), String(port)],
    logFile: join(dir.path, 'fakesnow.log'),
    // fakesnow keeps internal stages (PUT uploads) in a temp folder: this run's own
    env: { ...process.env, TMPDIR: tmp },
  });
  await waitUntil(
    'fakesnow to accept connections',
    async () => {
      if (server.exited()) throw new Error('fakesnow exited');
      return portAccepts(port);
    },
    { timeoutMs: 60_000, logHint: () => server.tail() },
  );
  return {
    port,
    dbt: paths.fakesnowDbt,
    env: {
      SNOWFLAKE_ACCOUNT: 'fakesnow',
      SNOWFLAKE_USER: 'loader',
      SNOWFLAKE_PASSWORD: randomBytes(12).toString('base64url'),
      SNOWFLAKE_DATABASE: 'SPOTIFY',
      SNOWFLAKE_WAREHOUSE: 'LOAD_WH',
      SNOWFLAKE_HOST: '127.0.0.1',
      SNOWFLAKE_PORT: String(port),
      SNOWFLAKE_PROTOCOL: 'http',
    },
    destroy: async () => {
      await server.stop(10_000);
      dir.remove();
    },
  };
}
