// One shape for every command of the project: --help and --version answered before any work, strict options
// with "did you mean" for a typo, and the same exit codes everywhere.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { runMain } from './run-main.js';
import { VERSION } from './version.js';

/** Exit codes of every command. `usage`: a wrong flag or value (nothing was done); `badInput`: data retrying cannot fix. */
const EXIT = { ok: 0, failure: 1, usage: 2, badInput: 3 } as const;

export type CliOption =
  | { type: 'string'; arg: string; help: string; short?: string }
  | { type: 'boolean'; help: string; short?: string };

export interface CliSpec {
  /** The command as a user types it, e.g. `npm start` or `spotify-loader`. */
  name: string;
  /** What it does, in one line. */
  summary: string;
  /** What follows the name, e.g. `[options]` or `<load|batch> [dbt arguments]`. */
  usage: string;
  options: Record<string, CliOption>;
  /** Positional arguments are allowed (the command checks them). */
  positionals?: boolean;
  /** Text after the options: settings read from the environment, outputs, examples. */
  details?: string;
}

export type ParsedCli =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; values: Record<string, string | boolean | undefined>; positionals: string[] };

const BUILT_IN: Record<string, CliOption> = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', short: 'V', help: 'print the version' },
};

export function helpText(spec: CliSpec): string {
  const rows = Object.entries({ ...spec.options, ...BUILT_IN }).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '';
    return [`${short}--${name}${o.type === 'string' ? ` ${o.arg}` : ''}`, o.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const options = rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`).join('\n');
  const details = spec.details ? `\n${spec.details.trimEnd()}\n` : '';
  return `Usage: ${spec.name} ${spec.usage}\n\n${spec.summary}\n\nOptions:\n${options}\n${details}`;
}

export function versionText(spec: CliSpec): string {
  return `${spec.name} ${VERSION} (node ${process.versions.node})\n`;
}

/**
 * Reads argv. -h/--help and -V/--version win over everything else, even a wrong flag beside them, so they
 * always answer. A wrong flag or a flag without its value is a ConfigError naming it (and the closest known
 * flag); the caller checks the values themselves.
 */
export function parseCli(spec: CliSpec, argv: readonly string[]): ParsedCli {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  if (flags.some((a) => a === '--help' || a === '-h')) return { kind: 'help' };
  if (flags.some((a) => a === '--version' || a === '-V')) return { kind: 'version' };
  const options = { ...spec.options, ...BUILT_IN };
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: spec.positionals ?? false,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          o.short ? { type: o.type, short: o.short } : { type: o.type },
        ]),
      ),
    });
    return { kind: 'run', values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    throw new ConfigError(explainParseError(err as Error & { code?: string }, Object.keys(options), spec));
  }
}

function explainParseError(err: Error & { code?: string }, known: string[], spec: CliSpec): string {
  const unknown = /Unknown option '(-{1,2}[^']*)'/.exec(err.message)?.[1];
  if (unknown) {
    const guess = closest(unknown.replace(/^-+/, '').split('=')[0] ?? '', known);
    return `unknown option ${unknown}${guess ? `; did you mean --${guess}?` : ''} (--help lists them)`;
  }
  const missing = /Option '(?:-\w, )?(--[^ ']+)[^']*' argument missing/.exec(err.message)?.[1];
  if (missing) {
    const option = spec.options[missing.slice(2)];
    return `${missing} needs a value${option?.type === 'string' ? `: ${missing} ${option.arg}` : ''}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `${err.message.split('.')[0]}: ${spec.name} takes no arguments, only options (see --help)`;
  return `${err.message} (see --help)`;
}

/** The known name a typo most likely meant: within two edits, or the only one it is a prefix of. */
export function closest(typed: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((name) => ({ name, d: editDistance(typed.toLowerCase(), name) }))
    .filter(({ d }) => d <= Math.max(1, Math.min(2, Math.floor(typed.length / 3))))
    .sort((a, b) => a.d - b.d);
  if (scored[0]) return scored[0].name;
  const prefixed = known.filter((name) => typed.length >= 2 && name.startsWith(typed.toLowerCase()));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Edits from a to b, a swap of two neighbours counting as one (the commonest typo). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * A command's entry point: answers --help and --version, or runs `main` with the parsed options and exits
 * with its code (runMain: a ConfigError is one line and exit 2, a bug a stack and exit 1).
 */
export function runCli(
  spec: CliSpec,
  main: (
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ) => Promise<number | undefined>,
  argv: readonly string[] = process.argv.slice(2),
): void {
  runMain(spec.name, async () => {
    const parsed = parseCli(spec, argv);
    if (parsed.kind === 'help') process.stdout.write(helpText(spec));
    else if (parsed.kind === 'version') process.stdout.write(versionText(spec));
    else return main(parsed.values, parsed.positionals);
    return EXIT.ok;
  });
}

/**
 * A numeric option within bounds, or undefined when not given; anything else is a ConfigError that names the
 * option, the bounds and what was typed.
 */
export function numberOption(
  values: Record<string, string | boolean | undefined>,
  name: string,
  bounds: { min: number; max: number; integer?: boolean },
): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const n = /^[+]?\d+(\.\d+)?$|^[+]?\.\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const whole = bounds.integer ?? true;
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < bounds.min || n > bounds.max) {
    const kind = whole ? 'a whole number' : 'a number';
    throw new ConfigError(
      `--${name} must be ${kind} from ${bounds.min.toLocaleString('en-US')} to ${bounds.max.toLocaleString('en-US')}, got "${raw}"`,
    );
  }
  return n;
}

/** The environment variables a settings schema reads, for a --help text (required ones marked `*`). */
export function settingsHelp(schema: z.ZodType, width = 100): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  const names = Object.keys(json.properties ?? {}).map((name) => (required.has(name) ? `${name}*` : name));
  const lines = ['Settings, from the environment (* required):'];
  let line = ' ';
  for (const name of names) {
    if (line.length + name.length + 2 > width) {
      lines.push(line.trimEnd());
      line = ' ';
    }
    line += ` ${name}`;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}
