import type { z } from 'zod';
import { type CliOption, type CliSpec, helpText, parseCli, versionText } from '../cli.js';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/**
 * A command-line flag is another way to set one variable of the workload's env schema, so a local run and a
 * pod read the same settings with the same defaults and limits. A boolean flag sets its variable to `value`.
 */
type Flag =
  | { env: string; type: 'string'; arg: string; help: string }
  | { env: string; type: 'boolean'; value: 'true' | 'false'; help: string };

export interface FlagTable {
  /** The command these flags belong to: its name, usage line, summary and the text after the options. */
  command: Omit<CliSpec, 'options' | 'positionals'>;
  flags: Record<string, Flag>;
  /** Positional arguments, joined with `separator` into one variable. */
  positionals?: { env: string; separator: string };
}

const ENV_NOTE =
  'Every setting is an environment variable (in brackets); a flag sets the same variable and wins over it.';

/** The command's help and parsing shape (shared/cli.ts), each flag's help naming the variable it sets. */
function flagsCli(table: FlagTable): CliSpec {
  const options: Record<string, CliOption> = Object.fromEntries(
    Object.entries(table.flags).map(([name, flag]) => {
      const help = `${flag.help} [${flag.type === 'string' ? flag.env : `${flag.env}=${flag.value}`}]`;
      return [
        name,
        flag.type === 'string' ? { type: 'string', arg: flag.arg, help } : { type: 'boolean', help },
      ];
    }),
  );
  const details = `${ENV_NOTE}${table.command.details ? `\n\n${table.command.details}` : ''}`;
  return { ...table.command, details, options, positionals: table.positionals !== undefined };
}

/** Parses argv into the variables it sets; `help`/`version` when asked. A wrong flag is a ConfigError. */
export function flagsToEnv(argv: string[], table: FlagTable): 'help' | 'version' | Record<string, string> {
  const parsed = parseCli(flagsCli(table), argv);
  if (parsed.kind !== 'run') return parsed.kind;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    const flag = table.flags[name];
    if (!flag || value === undefined) continue;
    out[flag.env] = flag.type === 'boolean' ? flag.value : String(value);
  }
  if (table.positionals && parsed.positionals.length > 0) {
    out[table.positionals.env] = parsed.positionals.join(table.positionals.separator);
  }
  return out;
}

/**
 * The workload's settings from its env schema, with command-line flags laid over the environment; 'answered'
 * when argv asked for --help or --version, which are then printed. A problem names the variable and, when a
 * flag set it, the flag: `SIMULATOR_RATE (--rate): ...`.
 */
export function loadWorkloadConfig<S extends z.ZodType>(
  schema: S,
  argv: string[],
  table: FlagTable,
  environment: NodeJS.ProcessEnv = process.env,
  stdout: { write(text: string): unknown } = process.stdout,
): z.infer<S> | 'answered' {
  const fromFlags = flagsToEnv(argv, table);
  if (fromFlags === 'help' || fromFlags === 'version') {
    stdout.write(fromFlags === 'help' ? helpText(flagsCli(table)) : versionText(flagsCli(table)));
    return 'answered';
  }
  try {
    return loadConfig(schema, { ...environment, ...fromFlags });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    let message = err.message;
    for (const [name, flag] of Object.entries(table.flags)) {
      if (fromFlags[flag.env] !== undefined)
        message = message.replaceAll(`${flag.env}:`, `${flag.env} (--${name}):`);
    }
    const positional = table.positionals?.env;
    if (positional && fromFlags[positional] !== undefined)
      message = message.replaceAll(`${positional}:`, `${positional} (arguments):`);
    throw new ConfigError(`${message}; see --help`);
  }
}
