import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, requireComponent } from './paths.js';
import { freePort, portAccepts, waitUntil } from './ports.js';
import { type ManagedProcess, startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface S3Instance {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  /** Stops the server, keeping port, credentials and data so that `start` brings the same store back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * versitygw (an Apache-2.0 S3 gateway) serving a posix folder, with credentials made up for this run, on a free
 * loopback port (or on `host`, another local address, e.g. a test cluster's host address that pods reach).
 */
export async function startS3(options: { host?: string } = {}): Promise<S3Instance> {
  const host = options.host ?? '127.0.0.1';
  const paths = componentPaths();
  requireComponent(paths.versitygw, 'versitygw');
  const dir = makeWorkdir('s3');
  for (const sub of ['data', 'meta', 'iam', 'versions']) mkdirSync(join(dir.path, sub));
  const port = await freePort(host);
  const accessKey = `test-${randomBytes(6).toString('hex')}`;
  const secretKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';

  let server: ManagedProcess | undefined;
  const start = async () => {
    server = startProcess({
      name: 'versitygw',
      command: paths.versitygw,
      args: [
        '--port',
        `${host}:${port}`,
        '--iam-dir',
        join(dir.path, 'iam'),
        '--region',
        region,
        '--quiet',
        'posix',
        '--sidecar',
        join(dir.path, 'meta'),
        '--versioning-dir',
        join(dir.path, 'versions'),
        join(dir.path, 'data'),
      ],
      env: { ...process.env, ROOT_ACCESS_KEY: accessKey, ROOT_SECRET_KEY: secretKey },
      logFile: join(dir.path, 'versitygw.log'),
    });
    const current = server;
    await waitUntil(
      'the S3 server to accept connections',
      async () => {
        if (current.exited()) throw new Error('versitygw exited');
        return portAccepts(port, host);
      },
      { timeoutMs: 30_000, logHint: () => current.tail() },
    );
  };
  await start();

  return {
    endpoint: `http://${host}:${port}`,
    accessKey,
    secretKey,
    region,
    start,
    stop: async () => {
      await server?.stop(5000);
    },
    destroy: async () => {
      await server?.stop(5000);
      dir.remove();
    },
  };
}
