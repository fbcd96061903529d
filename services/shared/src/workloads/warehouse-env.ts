import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { env } from '../config.js';

const WAREHOUSES = ['duckdb', 'postgres', 'snowflake'] as const;
export type WarehouseType = (typeof WAREHOUSES)[number];

/** Settings of each warehouse, required only when it is the chosen one; the *_PASSWORD come from a Secret. */
const WAREHOUSE_REQUIRED = {
  duckdb: [],
  postgres: ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'],
  // and SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY (see requireWarehouseSettings)
  snowflake: ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_DATABASE', 'SNOWFLAKE_WAREHOUSE'],
} as const satisfies Record<WarehouseType, readonly string[]>;

const text = z.string().min(1);

/**
 * A schema name every warehouse takes unquoted (the loader writes it into SQL, dbt reads it as a source): it
 * resolves case-insensitively everywhere (Snowflake upper-cases it, PostgreSQL lower-cases it).
 */
const schemaName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a letter or _ then letters, digits or _ (at most 63)');

/** The warehouse choice and every warehouse's settings, for any workload that connects to the warehouse. */
export const warehouseEnvFields = {
  WAREHOUSE: z.enum(WAREHOUSES).default('duckdb'),
  DUCKDB_PATH: z.string().default('warehouse.duckdb'),
  /**
   * Where the loader's `batch` publishes a read-only copy of gold after each successful build (DuckDB lets
   * no one else open a file while the loader or dbt writes it); the insights service reads that copy.
   */
  DUCKDB_SNAPSHOT_PATH: text.optional(),
  POSTGRES_HOST: text.optional(),
  POSTGRES_PORT: env.int(5432).pipe(z.number().int().min(1).max(65_535)),
  POSTGRES_USER: text.optional(),
  POSTGRES_PASSWORD: text.optional(),
  POSTGRES_DB: text.optional(),
  SNOWFLAKE_ACCOUNT: text.optional(),
  SNOWFLAKE_USER: text.optional(),
  SNOWFLAKE_PASSWORD: text.optional(),
  SNOWFLAKE_DATABASE: text.optional(),
  SNOWFLAKE_WAREHOUSE: text.optional(),
  /** Key-pair authentication (PEM, PKCS#8; Snowflake is retiring password-only sign-in); wins over the password. */
  SNOWFLAKE_PRIVATE_KEY: text.optional(),
  SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: text.optional(),
  SNOWFLAKE_ROLE: z.string().optional(),
  /** Only for an endpoint other than <account>.snowflakecomputing.com (a private link, or a test server). */
  SNOWFLAKE_HOST: text.optional(),
  SNOWFLAKE_PORT: env.int(443).pipe(z.number().int().min(1).max(65_535)),
  SNOWFLAKE_PROTOCOL: z.enum(['https', 'http']).default('https'),
  /** Where the loader writes bronze and dbt reads it, in every warehouse. */
  BRONZE_SCHEMA: schemaName.default('bronze'),
};

type WarehouseFields = z.output<z.ZodObject<typeof warehouseEnvFields>>;

/** Refinement: the chosen warehouse's own settings are present (one issue per missing one). */
export function requireWarehouseSettings(config: WarehouseFields, ctx: z.RefinementCtx): void {
  const fromSecret = ': mount it from the warehouse credentials Secret';
  for (const name of WAREHOUSE_REQUIRED[config.WAREHOUSE]) {
    if (!config[name]) {
      const secret = name.endsWith('_PASSWORD') ? fromSecret : '';
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is required for WAREHOUSE=${config.WAREHOUSE}${secret}`,
      });
    }
  }
  if (config.WAREHOUSE !== 'snowflake') return;
  if (!config.SNOWFLAKE_PASSWORD && !config.SNOWFLAKE_PRIVATE_KEY)
    ctx.addIssue({
      code: 'custom',
      path: ['SNOWFLAKE_PRIVATE_KEY'],
      message: `or SNOWFLAKE_PASSWORD is required for WAREHOUSE=snowflake${fromSecret}`,
    });
  if (config.SNOWFLAKE_PRIVATE_KEY) {
    const problem = privateKeyProblem(config.SNOWFLAKE_PRIVATE_KEY, config.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE);
    if (problem) ctx.addIssue({ code: 'custom', path: ['SNOWFLAKE_PRIVATE_KEY'], message: problem });
  }
}

/** Why a key-pair private key cannot sign in, or null. Never echoes the key. */
function privateKeyProblem(pem: string, passphrase: string | undefined): string | null {
  if (!/^-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(pem.trim()))
    return 'is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----, line breaks kept)';
  try {
    const key = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
    return key.asymmetricKeyType === 'rsa'
      ? null
      : `is a ${key.asymmetricKeyType} key; Snowflake takes RSA keys`;
  } catch {
    return pem.includes('ENCRYPTED') && !passphrase
      ? 'is encrypted: set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE'
      : 'cannot be read (wrong passphrase, or a damaged key)';
  }
}

/** The chosen warehouse's settings; `requireWarehouseSettings` has already required the ones it cannot do without. */
export function warehouseConfig(c: WarehouseFields): WarehouseConfig {
  if (c.WAREHOUSE === 'duckdb')
    return {
      type: 'duckdb',
      bronzeSchema: c.BRONZE_SCHEMA,
      duckdb: {
        DUCKDB_PATH: c.DUCKDB_PATH,
        ...(c.DUCKDB_SNAPSHOT_PATH ? { DUCKDB_SNAPSHOT_PATH: c.DUCKDB_SNAPSHOT_PATH } : {}),
      },
    };
  if (c.WAREHOUSE === 'postgres')
    return {
      type: 'postgres',
      bronzeSchema: c.BRONZE_SCHEMA,
      postgres: {
        POSTGRES_HOST: c.POSTGRES_HOST!,
        POSTGRES_PORT: c.POSTGRES_PORT,
        POSTGRES_USER: c.POSTGRES_USER!,
        POSTGRES_PASSWORD: c.POSTGRES_PASSWORD!,
        POSTGRES_DB: c.POSTGRES_DB!,
      },
    };
  return {
    type: 'snowflake',
    bronzeSchema: c.BRONZE_SCHEMA,
    snowflake: {
      SNOWFLAKE_ACCOUNT: c.SNOWFLAKE_ACCOUNT!,
      SNOWFLAKE_USER: c.SNOWFLAKE_USER!,
      ...(c.SNOWFLAKE_PRIVATE_KEY
        ? {
            SNOWFLAKE_PRIVATE_KEY: c.SNOWFLAKE_PRIVATE_KEY,
            ...(c.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE
              ? { SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: c.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE }
              : {}),
          }
        : { SNOWFLAKE_PASSWORD: c.SNOWFLAKE_PASSWORD! }),
      SNOWFLAKE_DATABASE: c.SNOWFLAKE_DATABASE!,
      SNOWFLAKE_WAREHOUSE: c.SNOWFLAKE_WAREHOUSE!,
      ...(c.SNOWFLAKE_ROLE ? { SNOWFLAKE_ROLE: c.SNOWFLAKE_ROLE } : {}),
      ...(c.SNOWFLAKE_HOST ? { SNOWFLAKE_HOST: c.SNOWFLAKE_HOST } : {}),
      SNOWFLAKE_PORT: c.SNOWFLAKE_PORT,
      SNOWFLAKE_PROTOCOL: c.SNOWFLAKE_PROTOCOL,
    },
  };
}

/** The chosen warehouse's settings, and the schema bronze lives in (every warehouse has one). */
export type WarehouseConfig = { bronzeSchema: string } & (
  | { type: 'duckdb'; duckdb: { DUCKDB_PATH: string; DUCKDB_SNAPSHOT_PATH?: string } }
  | {
      type: 'postgres';
      postgres: {
        POSTGRES_HOST: string;
        POSTGRES_PORT: number;
        POSTGRES_USER: string;
        POSTGRES_PASSWORD: string;
        POSTGRES_DB: string;
      };
    }
  | {
      type: 'snowflake';
      snowflake: {
        SNOWFLAKE_ACCOUNT: string;
        SNOWFLAKE_USER: string;
        SNOWFLAKE_DATABASE: string;
        SNOWFLAKE_WAREHOUSE: string;
        SNOWFLAKE_ROLE?: string;
        SNOWFLAKE_HOST?: string;
        SNOWFLAKE_PORT: number;
        SNOWFLAKE_PROTOCOL: 'https' | 'http';
        /** One of the two: key-pair authentication (wins) or a password. */
        SNOWFLAKE_PASSWORD?: string;
        SNOWFLAKE_PRIVATE_KEY?: string;
        SNOWFLAKE_PRIVATE_KEY_PASSPHRASE?: string;
      };
    }
);
