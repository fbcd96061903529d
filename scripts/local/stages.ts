// Runs each stage as its own process, exactly as it would run in a pod: the CLI entry point and env only.
// Their full output goes to one log file (readable lines, each prefixed with the stage); the terminal gets only
// what a stage reports as progress, and the last lines of a stage that fails.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '@spotify-pipeline/harness';
import { formatLogLine } from '@spotify-pipeline/shared';

export interface StageProcess {
  readonly name: string;
  exited: Promise<number>;
  stop(): Promise<number>;
}

/** The run's log file, and the last lines of each stage for a failure message. */
export interface StageLog {
  readonly path: string;
  write(stage: string, line: string): void;
  tail(stage: string): string[];
}

const TAIL_LINES = 15;

export function openStageLog(path: string): StageLog {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  const tails = new Map<string, string[]>();
  return {
    path,
    write(stage, line) {
      const text = formatLogLine(line);
      appendFileSync(path, `${stage} | ${text.replaceAll('\n', `\n${stage} | `)}\n`);
      const tail = tails.get(stage) ?? [];
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
      tails.set(stage, tail);
    },
    tail: (stage) => tails.get(stage) ?? [],
  };
}

/** Starts a TypeScript entry point from its sources; `progress` sees each line (JSON logs parsed) first. */
export function startStage(options: {
  name: string;
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  log: StageLog;
  progress?: (entry: Record<string, unknown>) => void;
}): StageProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(repoRoot, options.entry), ...(options.args ?? [])],
    {
      cwd: repoRoot,
      // JSON logs (the output is a pipe): the log file formats them, progress reads them.
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let partial = '';
  const onData = (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      options.log.write(options.name, line);
      if (options.progress && line.startsWith('{')) {
        try {
          options.progress(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line: the file has it
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      if (partial) options.log.write(options.name, partial);
      resolve(code ?? (signal ? 128 : 1));
    }),
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

/** Runs a stage to completion; if it fails, the error carries its last lines and names the log file. */
export async function runStage(options: Parameters<typeof startStage>[0]): Promise<void> {
  const code = await startStage(options).exited;
  if (code !== 0) {
    const tail = options.log.tail(options.name).map((l) => `    ${l}`);
    throw new Error(
      `${options.name} exited with code ${code}; its last lines:\n${tail.join('\n')}\n  full log: ${options.log.path}`,
    );
  }
}
