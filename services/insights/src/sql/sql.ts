/**
 * SQL built only through the `sql` tag: every interpolated value becomes a bound parameter, and the only way
 * to put text into a statement is another `sql` fragment (or a dialect expression built from one). So a
 * caller's value can never become SQL, whatever it holds.
 */
export type SqlValue = string | number | boolean | null;

export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: ReadonlyArray<SqlValue | Sql>,
  ) {}
}

export function sql(strings: TemplateStringsArray, ...values: Array<SqlValue | Sql>): Sql {
  return new Sql([...strings], values);
}

const UNQUOTED_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A schema or table name from configuration (such as BRONZE_SCHEMA), written unquoted so that every warehouse
 * resolves it in its own case (Snowflake upper-cases it, PostgreSQL lower-cases it). Anything else throws.
 */
export function unquotedName(name: string): Sql {
  if (!UNQUOTED_NAME.test(name))
    throw new Error(
      `${JSON.stringify(name)} is not a plain SQL name (a letter or _, then letters, digits or _)`,
    );
  return new Sql([name], []);
}

/** Joins fragments with a separator fragment, e.g. filters with `and`. */
export function join(fragments: readonly Sql[], separator: Sql): Sql {
  const values = fragments.flatMap((f, i) => (i === 0 ? [f] : [separator, f]));
  return new Sql(
    Array.from({ length: values.length + 1 }, () => ''),
    values,
  );
}

export interface RenderedSql {
  text: string;
  params: SqlValue[];
}

/** Placeholder style: `$1, $2` (PostgreSQL, DuckDB) or `?` (Snowflake). */
export type PlaceholderStyle = 'numbered' | 'question';

export function render(query: Sql, style: PlaceholderStyle): RenderedSql {
  const params: SqlValue[] = [];
  const walk = (q: Sql): string => {
    let text = q.strings[0] ?? '';
    q.values.forEach((value, i) => {
      if (value instanceof Sql) {
        text += walk(value);
      } else {
        params.push(value);
        text += style === 'numbered' ? `$${params.length}` : '?';
      }
      text += q.strings[i + 1] ?? '';
    });
    return text;
  };
  return { text: walk(query), params };
}
