// The loader's command line: two commands, settings from the environment.
import { type CliSpec, ConfigError, closest, settingsHelp } from '@spotify-pipeline/shared';
import { loaderEnvSchema } from '@spotify-pipeline/shared/workloads';

const COMMANDS = ['load', 'batch'] as const;

export const loaderCli: CliSpec = {
  name: 'spotify-loader',
  usage: '<load|batch> [-- dbt arguments]',
  summary:
    'Loads new bronze objects from the lake into the warehouse, exactly once; batch then runs dbt build.',
  options: {},
  positionals: true,
  details: `Commands:
  load    load new bronze objects from the lake into the warehouse, exactly once
  batch   load, then run \`dbt build\` (arguments after -- go to dbt, e.g. batch -- --select marts); with
          DUCKDB_SNAPSHOT_PATH it then publishes a read-only copy of gold for the insights service

${settingsHelp(loaderEnvSchema)}`,
};

/** The command and dbt's arguments, or a ConfigError that names the command meant. */
export function loaderCommand(positionals: string[]): {
  command: (typeof COMMANDS)[number];
  dbtArgs: string[];
} {
  const [command, ...dbtArgs] = positionals;
  if (command === 'load' || command === 'batch') return { command, dbtArgs };
  if (command === undefined) throw new ConfigError('a command is required: load or batch (see --help)');
  const guess = closest(command, COMMANDS);
  throw new ConfigError(
    `unknown command '${command}'${guess ? `; did you mean ${guess}?` : ''} (commands: load, batch)`,
  );
}
