import { execFile } from 'node:child_process';
import { componentPaths, requireComponent } from './paths.js';

export interface DbtResult {
  code: number;
  output: string;
}

/**
 * Runs the dbt CLI from the project's venv. Usage statistics are off (no network here), and target and log
 * paths are per call so that parallel runs don't write over each other.
 */
export function runDbt(options: {
  args: string[];
  projectDir: string;
  profilesDir: string;
  workdir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<DbtResult> {
  const dbt = requireComponent(componentPaths().dbt, 'dbt');
  return new Promise((resolve) => {
    execFile(
      dbt,
      [...options.args, '--project-dir', options.projectDir, '--profiles-dir', options.profilesDir],
      {
        env: {
          ...process.env,
          DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
          DO_NOT_TRACK: '1',
          DBT_TARGET_PATH: `${options.workdir}/target`,
          DBT_LOG_PATH: `${options.workdir}/logs`,
          ...options.env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}
