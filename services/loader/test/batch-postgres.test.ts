import { startPostgres } from '@spotify-pipeline/harness';
import pg from 'pg';
import { batchScenario } from './batch-scenario.js';

batchScenario('postgres', async () => {
  const server = await startPostgres();
  const client = new pg.Client({ connectionString: server.connectionString });
  await client.connect();
  return {
    target: 'postgres',
    env: {
      POSTGRES_HOST: server.host,
      POSTGRES_PORT: String(server.port),
      POSTGRES_USER: server.user,
      POSTGRES_PASSWORD: server.password,
      POSTGRES_DB: server.database,
    },
    query: async (sql) => (await client.query(sql)).rows,
    stop: async () => {
      await client.end();
      await server.stop();
    },
  };
});
