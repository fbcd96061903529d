import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  tail(lines?: number): string;
}

const live = new Set<ManagedProcess>();

// Children die with the test process, also when it is killed: a watchdog per child polls our pid.
process.once('exit', () => {
  for (const p of live) p.child.kill('SIGKILL');
});

export function startProcess(options: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): ManagedProcess {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  const watchdog = spawn(
    'bash',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();

  let exitedFlag = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      live.delete(managed);
      resolve();
    });
    child.once('error', () => {
      exitedFlag = true;
      live.delete(managed);
      resolve();
    });
  });

  const managed: ManagedProcess = {
    name: options.name,
    child,
    logFile: options.logFile,
    exited: () => exitedFlag,
    async stop(graceMs = 15_000) {
      if (exitedFlag) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
    async kill() {
      if (exitedFlag) return;
      child.kill('SIGKILL');
      await exitPromise;
    },
    tail(lines = 30) {
      try {
        return readFileSync(options.logFile, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
  };
  live.add(managed);
  return managed;
}
