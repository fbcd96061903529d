import { execFile } from 'node:child_process';
import { componentPaths, requireComponent } from './paths.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The kubectl built with the node (same release as the API server), against one kubeconfig. */
export function runKubectl(
  args: string[],
  options: { kubeconfig: string; input?: string; timeoutMs?: number },
): Promise<KubectlResult> {
  const kubectl = requireComponent(componentPaths().kubectl, 'kube');
  return new Promise((resolve) => {
    const child = execFile(
      kubectl,
      [`--kubeconfig=${options.kubeconfig}`, ...args],
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like `runKubectl`, but rejects with kubectl's message when it fails. */
export async function kubectlOrThrow(
  args: string[],
  options: { kubeconfig: string; input?: string; timeoutMs?: number },
): Promise<string> {
  const result = await runKubectl(args, options);
  if (result.code !== 0)
    throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}
