import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/**
 * A command-line flag is another way to set one variable of the workload's env schema, so a local run and a
 * pod read the same settings with the same defaults and limits. A boolean flag sets its variable to `value`.
 */
export type Flag =
  | { env: string; type: 'string'; arg: string; help: string }
  | { env: string; type: 'boolean'; value: 'true' | 'false'; help: string };

export interface FlagTable {
  flags: Record<string, Flag>;
  /** Positional arguments, joined with `separator` into one variable. */
  positionals?: { env: string; separator: string };
}

/** Parses argv into the variables it sets; `help` when -h/--help is given. Unknown flags are a ConfigError. */
export function flagsToEnv(argv: string[], table: FlagTable): 'help' | Record<string, string> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: table.positionals !== undefined,
      options: {
        ...Object.fromEntries(Object.entries(table.flags).map(([name, flag]) => [name, { type: flag.type }])),
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; see --help`);
  }
  if (parsed.values.help) return 'help';
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
 * The workload's settings from its env schema, with command-line flags laid over the environment. A problem
 * names the variable and, when a flag set it, the flag: `SIMULATOR_RATE (--rate): ...`.
 */
export function loadWorkloadConfig<S extends z.ZodType>(
  schema: S,
  argv: string[],
  table: FlagTable,
  environment: NodeJS.ProcessEnv = process.env,
): z.infer<S> | 'help' {
  const fromFlags = flagsToEnv(argv, table);
  if (fromFlags === 'help') return 'help';
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

/** The options section of a --help text, from the same table: each flag with the variable it sets. */
export function flagsHelp(table: FlagTable): string {
  const rows: Array<[string, string]> = Object.entries(table.flags).map(([name, flag]) => {
    const left = flag.type === 'string' ? `--${name} ${flag.arg}` : `--${name}`;
    const env = flag.type === 'string' ? flag.env : `${flag.env}=${flag.value}`;
    return [left, `${flag.help} [${env}]`];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}
