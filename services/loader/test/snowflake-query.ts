// Reads the Snowflake in the environment for the tests: one SQL statement per stdin line (JSON-encoded), one
// JSON line back per statement ({"rows": [...]} or {"error": "..."}). Under vitest, snowflake-sdk's AWS
// dependencies resolve to their browser builds, which Node cannot load; this plain Node process loads them
// as production does.
import { createInterface } from 'node:readline';
import { describeError, loadConfig } from '@spotify-pipeline/shared';
import { connectSnowflake, snowflakeSettings } from '@spotify-pipeline/shared/warehouse/snowflake';
import { loaderEnvSchema } from '@spotify-pipeline/shared/workloads';

const { warehouse } = loadConfig(loaderEnvSchema);
if (warehouse.type !== 'snowflake') throw new Error('WAREHOUSE=snowflake and its settings are needed');
const session = await connectSnowflake(snowflakeSettings(warehouse), {
  application: 'spotify-pipeline-test',
});
for await (const line of createInterface({ input: process.stdin })) {
  try {
    process.stdout.write(`${JSON.stringify({ rows: await session.execute(JSON.parse(line) as string) })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: describeError(err, 2000) })}\n`);
  }
}
await session.close();
