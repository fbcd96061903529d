import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentPaths, requireComponent } from './paths.js';
import { freePort, portAccepts, waitUntil } from './ports.js';
import { type ManagedProcess, startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface PostgresInstance {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly connectionString: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

// PostgreSQL refuses to run as root; as root we drop to the `postgres` user Debian's package creates.
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function isReady(pgIsReady: string, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(pgIsReady, ['-h', host, '-p', String(port), '-t', '2'], (error) => resolve(!error));
  });
}

/**
 * A throwaway PostgreSQL cluster (initdb in a temp folder) with password auth on a free loopback port, or on
 * `host` (another local address, e.g. a test cluster's host address that pods reach).
 */
export async function startPostgres(options: { host?: string } = {}): Promise<PostgresInstance> {
  const host = options.host ?? '127.0.0.1';
  const bin = componentPaths().postgresBin;
  requireComponent(join(bin, 'postgres'), 'apt');
  const dir = makeWorkdir('postgres');
  const data = join(dir.path, 'data');
  const sockets = join(dir.path, 'sockets');
  mkdirSync(sockets);
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir.path, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chmodSync(dir.path, 0o755);
    for (const p of [dir.path, sockets, pwfile]) chownSync(p, uid, gid);
  }
  const [initdb, initArgs] = asPostgresUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-locale',
  ]);
  execFileSync(initdb, initArgs, { stdio: 'pipe' });
  // initdb lets in loopback clients only; on another address, clients come from elsewhere (a cluster's pods).
  if (host !== '127.0.0.1') appendFileSync(join(data, 'pg_hba.conf'), 'host all all all scram-sha-256\n');
  const port = await freePort(host);

  let server: ManagedProcess | undefined;
  const start = async () => {
    const [cmd, args] = asPostgresUser(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      sockets,
      '-c',
      `listen_addresses=${host}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ]);
    server = startProcess({ name: 'postgres', command: cmd, args, logFile: join(dir.path, 'postgres.log') });
    const current = server;
    // The port opens before recovery ends ("the database system is starting up"): ask pg_isready too.
    await waitUntil(
      'PostgreSQL to accept connections',
      async () => {
        if (current.exited()) throw new Error('postgres exited');
        return (await portAccepts(port, host)) && isReady(join(bin, 'pg_isready'), host, port);
      },
      { timeoutMs: 30_000, logHint: () => current.tail() },
    );
  };
  await start();

  const user = 'postgres';
  const database = 'postgres';
  return {
    host,
    port,
    user,
    password,
    database,
    connectionString: `postgresql://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`,
    start,
    stop: async () => {
      await server?.stop(10_000);
    },
    destroy: async () => {
      await server?.stop(10_000);
      dir.remove();
    },
  };
}
