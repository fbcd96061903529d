import { describe, expect, it } from 'vitest';
import { postgresClientConfig } from './postgres.js';

const settings = { host: 'db', port: 5432, user: 'u', password: 'p', database: 'd' };

describe('postgresClientConfig', () => {
  it('a writer gets plain settings with its application name', () => {
    expect(postgresClientConfig(settings, { applicationName: 'loader' })).toEqual({
      ...settings,
      application_name: 'loader',
    });
  });

  it('a reader gets read-only transactions and a server-side deadline, with a client-side one behind it', () => {
    const config = postgresClientConfig(settings, {
      applicationName: 'insights',
      readOnly: true,
      statementTimeoutMs: 2500,
    });
    expect(config.options).toBe('-c default_transaction_read_only=on -c statement_timeout=2500');
    expect(config.query_timeout).toBe(3500);
  });
});
