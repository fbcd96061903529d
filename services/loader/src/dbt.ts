import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@spotify-pipeline/shared';

export interface DbtSummary {
  exitCode: number;
  seconds: number;
  /** Node counts by status from run_results.json (success, pass, fail, error, skipped, warn). */
  statuses: Record<string, number>;
  /** The nodes that failed or errored, with dbt's message. */
  failures: Array<{ node: string; status: string; message: string }>;
}

interface RunResults {
  results: Array<{ unique_id: string; status: string; message: string | null }>;
}

export function summarizeRunResults(results: RunResults): Pick<DbtSummary, 'statuses' | 'failures'> {
  const statuses: Record<string, number> = {};
  const failures: DbtSummary['failures'] = [];
  for (const r of results.results) {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 'fail' || r.status === 'error') {
      failures.push({ node: r.unique_id, status: r.status, message: r.message ?? '' });
    }
  }
  return { statuses, failures };
}

/**
 * Runs one dbt command (`build`, `source freshness`, ...) against the project, streaming dbt's own progress
 * lines to stderr, and reads the outcome from run_results.json rather than from the console text.
 */
export async function runDbt(params: {
  bin: string;
  command: readonly string[];
  projectDir: string;
  profilesDir?: string | undefined;
  targetPath?: string | undefined;
  logPath?: string | undefined;
  target: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<DbtSummary> {
  const projectDir = resolve(params.projectDir);
  const targetPath = resolve(params.targetPath ?? join(projectDir, 'target'));
  const args = [
    ...params.command,
    '--project-dir',
    projectDir,
    '--profiles-dir',
    resolve(params.profilesDir ?? projectDir),
    '--target',
    params.target,
    '--target-path',
    targetPath,
    ...(params.logPath ? ['--log-path', resolve(params.logPath)] : []),
  ];
  const logger = params.logger.child({ component: 'dbt' });
  logger.info({ args }, `running dbt ${params.command.join(' ')}`);
  const started = performance.now();
  const exitCode = await new Promise<number>((done, fail) => {
    const child = spawn(params.bin, args, {
      env: { ...(params.env ?? process.env), DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  let summary: Pick<DbtSummary, 'statuses' | 'failures'> = { statuses: {}, failures: [] };
  try {
    summary = summarizeRunResults(JSON.parse(await readFile(join(targetPath, 'run_results.json'), 'utf8')));
  } catch (err) {
    logger.warn({ err }, 'dbt wrote no readable run_results.json');
  }
  return { exitCode, seconds, ...summary };
}
