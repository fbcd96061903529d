import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { caSecret } from './buildah.js';
import { nodeBaseImage } from './images.js';
import { componentPaths, requireComponent } from './paths.js';
import { type ManagedProcess, startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface SkaffoldOptions {
  /** The source tree with skaffold.yaml (a copy of the repository, for a test that edits files). */
  cwd: string;
  /** The registry images go to: skaffold's --default-repo is `host/prefix`, pushed over plain HTTP. */
  registry: { host: string };
  prefix?: string;
  /** For run and dev: the cluster skaffold deploys to. */
  kubeconfig?: string;
  /** skaffold's HOME (its config and artifact cache), kept across commands; a fresh one per command if absent. */
  home?: string;
}

export interface SkaffoldResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The command line and environment that run skaffold here: its custom builder (scripts/images/skaffold-build.sh)
 * on buildah with runc and the installer's Node base image, helm and kubectl from the component cache on
 * PATH, a HOME of its own (skaffold's config and cache), no update check.
 */
function skaffoldCommand(
  args: string[],
  options: SkaffoldOptions,
): { command: string; argv: string[]; env: NodeJS.ProcessEnv; home: { path: string; remove(): void } } {
  const paths = componentPaths();
  const skaffold = requireComponent(paths.skaffold, 'skaffold');
  requireComponent(paths.helm, 'helm');
  const home = options.home ? { path: options.home, remove: () => {} } : makeWorkdir('skaffold-home');
  const bundle = caSecret()[0]?.replace(/^--secret=id=ca,src=/, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home.path,
    PATH: [dirname(paths.helm), dirname(paths.kubectl), process.env.PATH].join(':'),
    SP_NODE_IMAGE: nodeBaseImage(),
    SP_INSECURE_REGISTRIES: options.registry.host,
    BUILDAH_RUNTIME: paths.runc,
    ...(bundle ? { SP_BUILD_CA_BUNDLE: bundle } : {}),
    ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}),
  };
  // build, run and dev build images; delete only needs to know where they went.
  const builds = ['build', 'run', 'dev'].includes(args[0] ?? '');
  const argv = [
    ...args,
    `--default-repo=${options.registry.host}/${options.prefix ?? 'spotify-pipeline'}`,
    '--detect-minikube=false',
    ...(builds
      ? [
          `--insecure-registry=${options.registry.host}`,
          '--interactive=false',
          '--update-check=false',
          `--cache-file=${join(home.path, 'cache')}`,
        ]
      : []),
  ];
  return { command: skaffold, argv, env, home };
}

/** Runs one skaffold command (build, run, delete, …) to its end, with a deadline. */
export function runSkaffold(
  args: string[],
  options: SkaffoldOptions & { timeoutMs?: number },
): Promise<SkaffoldResult> {
  const { command, argv, env, home } = skaffoldCommand(args, options);
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      { cwd: options.cwd, env, timeout: options.timeoutMs ?? 30 * 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        home.remove();
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Starts `skaffold dev` (rebuilds and redeploys on every source change) until stopped; output in its log. */
export function startSkaffoldDev(
  options: SkaffoldOptions & { args?: string[]; logFile: string },
): ManagedProcess {
  const { command, argv, env } = skaffoldCommand(['dev', ...(options.args ?? [])], options);
  return startProcess({
    name: 'skaffold-dev',
    command,
    args: argv,
    env,
    cwd: options.cwd,
    logFile: options.logFile,
  });
}
