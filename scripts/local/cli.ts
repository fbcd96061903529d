// `npm start`'s command line. scripts/local/help.txt is its --help, printed by local.sh before anything is
// installed (a unit test keeps the two equal; `npx tsx --conditions=source scripts/local/cli.ts` rewrites it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliSpec, ConfigError, helpText, numberOption } from '@spotify-pipeline/shared';

export const localCli: CliSpec = {
  name: 'npm start',
  usage: '-- [options]',
  summary: `Runs the pipeline locally: Kafka and an S3-compatible lake on loopback, the simulator's backfill of the
days up to now, the lake writer, the loader into DuckDB and dbt (silver and gold), then checks gold against
the simulator's ground truth and serves the dashboard. Afterwards the simulator keeps streaming in real time,
the lake writer keeps writing and gold is refreshed every --refresh-seconds, until Ctrl-C.`,
  options: {
    listeners: { type: 'string', arg: 'N', help: 'simulated listeners (default 2000)' },
    days: { type: 'string', arg: 'N', help: 'days of listening to backfill, ending now (default 2)' },
    seed: { type: 'string', arg: 'N', help: 'simulator seed (default 1)' },
    rate: { type: 'string', arg: 'N', help: 'real-time events per second after the backfill (default 50)' },
    'refresh-seconds': { type: 'string', arg: 'N', help: 'pause between two refreshes of gold (default 30)' },
    port: { type: 'string', arg: 'N', help: 'dashboard port (default 8080; a free one when 8080 is taken)' },
    out: { type: 'string', arg: 'DIR', help: 'where outputs and logs go (default .local)' },
    kubernetes: { type: 'boolean', help: 'the same pipeline in pods on a single-node cluster started here' },
    seconds: {
      type: 'string',
      arg: 'N',
      help: '--kubernetes: seconds the simulator streams before the check (default 60)',
    },
    once: { type: 'boolean', help: '--kubernetes: remove the cluster after the check instead of keeping it' },
  },
  details: `The terminal shows a short progress view; every stage's full output (the services' logs, dbt) goes to
--out/logs/npm-start.log, and a stage that fails prints its last lines. Outputs in --out (git-ignored):
warehouse.duckdb (the warehouse), insights.duckdb (the read-only gold snapshot the dashboard reads), web/ (the
built dashboard), ground-truth.json, pipeline.env (endpoints and this run's generated credentials).

--kubernetes starts a single-node cluster (kubelet on containerd), builds the images into its registry,
installs the chart and applies a SpotifyPipeline; the operator runs the simulator (real time at --rate for
--listeners), the lake writers and the scheduled load and transform jobs into PostgreSQL. Kafka, the S3 server
and PostgreSQL run on the host. After --seconds the simulator is scaled to 0, gold is reconciled with its
ground truth, and kubectl get spl,pods,jobs is printed. The cluster keeps running until Ctrl-C (or --once);
--out gets its kubeconfig. Needs root (namespaces, cgroups). --days, --seed, --refresh-seconds and --port are
for the process run only.`,
};

export interface LocalOptions {
  listeners: number;
  days: number;
  seed: number;
  rate: number;
  refreshSeconds: number;
  port: number;
  out: string;
  kubernetes: boolean;
  seconds: number;
  once: boolean;
}

/** The options checked and typed; anything out of range is a ConfigError naming the option. */
export function localOptions(
  values: Record<string, string | boolean | undefined>,
  defaultOut: string,
): LocalOptions {
  const num = (name: string, fallback: number, min: number, max: number, integer = true) =>
    numberOption(values, name, { min, max, integer }) ?? fallback;
  const out = values.out;
  if (out === '') throw new ConfigError('--out needs a folder, e.g. --out .local');
  return {
    listeners: num('listeners', 2000, 1, 10_000_000),
    days: num('days', 2, 0.01, 366, false),
    seed: num('seed', 1, 0, 4_294_967_295),
    rate: num('rate', 50, 0.1, 1_000_000, false),
    refreshSeconds: num('refresh-seconds', 30, 1, 86_400, false),
    port: num('port', 8080, 0, 65_535),
    out: typeof out === 'string' ? out : defaultOut,
    kubernetes: values.kubernetes === true,
    seconds: num('seconds', 60, 1, 86_400, false),
    once: values.once === true,
  };
}

export const HELP_FILE = join(import.meta.dirname, 'help.txt');

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(HELP_FILE, helpText(localCli));
  process.stdout.write(`wrote ${HELP_FILE}\n`);
}
