import { execFile } from 'node:child_process';
import { componentPaths, requireComponent } from './paths.js';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the helm CLI built by the installer; HELM_* folders point into `home` so runs share no state. */
export function runHelm(args: string[], options: { home: string; kubeconfig?: string }): Promise<HelmResult> {
  const helm = requireComponent(componentPaths().helm, 'helm');
  const env = {
    ...process.env,
    HELM_CACHE_HOME: `${options.home}/cache`,
    HELM_CONFIG_HOME: `${options.home}/config`,
    HELM_DATA_HOME: `${options.home}/data`,
    ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}),
  };
  return new Promise((resolve) => {
    execFile(helm, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
