import { execFile } from 'node:child_process';
import { createLogger } from '@spotify-pipeline/shared';
import { createKafka, type KafkaEnv } from '@spotify-pipeline/shared/kafka';
import type { KafkaInstance, KafkaSecurity } from './kafka.js';
import { componentPaths } from './paths.js';
import { waitUntil } from './ports.js';

const quiet = createLogger({ name: 'harness-kafka-security', level: 'error' });

function securityOf(kafka: KafkaInstance, what: string): KafkaSecurity {
  if (!kafka.security) throw new Error(`${what}: the broker was started without \`security\``);
  return kafka.security;
}

/** The SCRAM login of `username` on the broker's SASL listener, as a workload's env gives it to `createKafka`. */
function scramSettings(
  kafka: KafkaInstance,
  user: { username: string; password: string },
  clientId = user.username,
): KafkaEnv {
  return {
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_CLIENT_ID: clientId,
    KAFKA_SSL: false,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user.username,
    KAFKA_SASL_PASSWORD: user.password,
  };
}

/** The harness's own login (the super user) on a `security` broker. */
export function superUserSettings(kafka: KafkaInstance, clientId = 'harness-admin'): KafkaEnv {
  return scramSettings(kafka, securityOf(kafka, 'superUserSettings').superUser, clientId);
}

/**
 * Gives `username` SCRAM-SHA-512 credentials on a running `security` broker, as Strimzi's User Operator does
 * for a `scram-sha-512` KafkaUser: kafkajs cannot (no AlterUserScramCredentials), so Kafka's own
 * `kafka-configs` (`kafka.admin.ConfigCommand`) does, logged in as the super user. Resolves once the user can
 * log in; rejects with the tool's output when it fails or `timeoutMs` passes.
 */
export async function createScramUser(
  kafka: KafkaInstance,
  user: { username: string; password: string },
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const security = securityOf(kafka, 'createScramUser');
  // kafka-configs reads `[password=...]` unquoted: a comma or bracket would change what it means.
  for (const value of [user.username, user.password])
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(value))
      throw new Error('createScramUser: user names and passwords must be letters, digits, ".", "_" or "-"');
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const args = kafka.javaToolArgs('kafka.admin.ConfigCommand', [
    ...['--bootstrap-server', kafka.bootstrap, '--command-config', security.adminProperties, '--alter'],
    ...['--add-config', `SCRAM-SHA-512=[password=${user.password}]`],
    ...['--entity-type', 'users', '--entity-name', user.username],
  ]);
  await new Promise<void>((resolve, reject) => {
    execFile(
      componentPaths().java,
      args,
      { timeout: Math.max(1, deadline - Date.now()), killSignal: 'SIGKILL', maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        const output = `${stdout}${stderr}`.trim().split('\n').slice(-15).join('\n');
        const why = err.killed ? `did not finish within ${options.timeoutMs ?? 90_000} ms` : err.message;
        reject(
          new Error(`kafka-configs could not add SCRAM credentials for ${user.username}: ${why}\n${output}`),
        );
      },
    );
  });
  // The controller has stored them; the broker takes them from the metadata log a moment later.
  await waitUntil(
    `${user.username} to log in with its new SCRAM credentials`,
    async () => {
      const admin = createKafka(scramSettings(kafka, user, 'harness-login-check'), quiet).admin();
      try {
        await admin.connect();
        return true;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: Math.max(1_000, deadline - Date.now()), intervalMs: 250 },
  );
}
