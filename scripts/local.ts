// The local pipeline on embedded defaults: starts a Kafka broker and an S3-compatible server on loopback,
// shows that each answers, writes their endpoints to .local/pipeline.env, and keeps them up until Ctrl-C.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startKafka, startS3 } from '@spotify-pipeline/harness';
import { createKafka } from '@spotify-pipeline/shared/kafka';
import { createLogger } from '@spotify-pipeline/shared/logging';
import { createObjectStore, ensureBucket } from '@spotify-pipeline/shared/object-store';

const HELP = `Usage: npm start [-- --once]

Starts the local pipeline's components on free loopback ports and shows that each answers:
  Kafka (single-node KRaft)   S3-compatible lake (versitygw)
Their endpoints and this run's generated credentials go to .local/pipeline.env (git-ignored).

  --once    check everything, then stop (used by the tests)
  --help    this text
`;

const log = (msg: string) => console.log(`[local ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { once: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  log('starting Kafka (KRaft, one node) ...');
  const kafka = await startKafka();
  log(`Kafka is up at ${kafka.bootstrap}`);
  log('starting the S3-compatible lake (versitygw) ...');
  const s3 = await startS3();
  log(`S3 is up at ${s3.endpoint}`);

  const stop = async () => {
    log('stopping ...');
    await s3.destroy();
    await kafka.destroy();
  };

  try {
    const logger = createLogger({ name: 'local', level: 'warn' });
    const admin = createKafka(
      { KAFKA_BROKERS: kafka.brokers, KAFKA_CLIENT_ID: 'local', KAFKA_SSL: false },
      logger,
    ).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    log(`Kafka answers: cluster ${cluster.clusterId} with ${cluster.brokers.length} broker(s)`);

    const bucket = 'spotify-lake';
    const store = createObjectStore({
      LAKE_ENDPOINT: s3.endpoint,
      LAKE_BUCKET: bucket,
      LAKE_REGION: s3.region,
      LAKE_ACCESS_KEY: s3.accessKey,
      LAKE_SECRET_KEY: s3.secretKey,
    });
    log(`S3 answers: bucket ${bucket} ${await ensureBucket(store, bucket)}`);

    const dir = join(repoRoot, '.local');
    mkdirSync(dir, { recursive: true });
    const envFile = join(dir, 'pipeline.env');
    writeFileSync(
      envFile,
      [
        `KAFKA_BROKERS=${kafka.bootstrap}`,
        `LAKE_ENDPOINT=${s3.endpoint}`,
        `LAKE_BUCKET=${bucket}`,
        `LAKE_REGION=${s3.region}`,
        `LAKE_ACCESS_KEY=${s3.accessKey}`,
        `LAKE_SECRET_KEY=${s3.secretKey}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    log(`endpoints and this run's credentials: ${envFile}`);
  } catch (err) {
    await stop();
    throw err;
  }

  if (values.once) {
    await stop();
    log('all components answered; stopped (--once)');
    return;
  }
  log('running; press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
}

main().catch((err: unknown) => {
  console.error(`[local] failed: ${(err as Error).message}`);
  process.exit(1);
});
