// Runs each stage as its own process, exactly as it would run in a pod: the CLI entry point and env only.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@spotify-pipeline/harness';

export interface StageProcess {
  readonly name: string;
  exited: Promise<number>;
  stop(): Promise<number>;
}

/** Starts a TypeScript entry point from its sources; its lines are prefixed with the stage name. */
export function startStage(options: {
  name: string;
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
}): StageProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, options.entry), ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const prefix = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      console.log(`  ${options.name} | ${line}`);
  };
  child.stdout.on('data', prefix);
  child.stderr.on('data', prefix);
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  return {
    name: options.name,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs a stage to completion and fails with its name and exit code if it does not succeed. */
export async function runStage(options: Parameters<typeof startStage>[0]): Promise<void> {
  const code = await startStage(options).exited;
  if (code !== 0) throw new Error(`${options.name} exited with code ${code}: see its lines above`);
}
