import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaCertificates, makeKafkaCertificates } from './kafka-certs.js';
import { componentPaths, requireComponent } from './paths.js';
import { freePort, portAccepts, waitUntil } from './ports.js';
import { type ManagedProcess, startProcess } from './process.js';
import { makeWorkdir } from './workdir.js';

export interface KafkaInstance {
  readonly brokers: string[];
  readonly bootstrap: string;
  readonly workdir: string;
  /** Stops the broker (SIGTERM), keeping its port and data so that `start` brings the same broker back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the broker and removes its data. */
  destroy(): Promise<void>;
  /** `java` arguments that run a Kafka tool class with the broker's classpath, e.g. ProducerPerformance. */
  javaToolArgs(mainClass: string, args: string[]): string[];
  /** With `security`: how the harness logs in, and the TLS listener if one was asked for. */
  readonly security?: KafkaSecurity;
}

/** A login of the form `name=...,password=...` takes, as Kafka's tools and JAAS lines need it: no quoting. */
const CREDENTIAL = /^[A-Za-z0-9._-]{1,200}$/;

export interface KafkaSecurityOptions {
  /**
   * The harness's own SCRAM-SHA-512 login, a super user (created when the storage is formatted); every other
   * user is refused until it has credentials (`createScramUser`) and ACLs (`applyStrimziAcls`). Letters,
   * digits, ".", "_" and "-" only.
   */
  superUser: { username: string; password: string };
  /**
   * Also a TLS listener that requires a client certificate signed by the broker's clients CA: the principal is
   * the certificate's subject (`User:CN=<name>`), as for a Strimzi `tls` KafkaUser.
   */
  mutualTls?: boolean;
}

export interface KafkaSecurity {
  readonly superUser: { username: string; password: string };
  /** A client properties file (`--command-config`) with which Kafka's own tools log in as the super user. */
  readonly adminProperties: string;
  /** The mutual-TLS listener (`mutualTls`), on the same host as `bootstrap`. */
  readonly tls?: {
    readonly bootstrap: string;
    /** PEM of the CA that signed the broker's certificate (a Strimzi cluster CA Secret's `ca.crt`). */
    readonly clusterCaCert: string;
    /**
     * A client certificate for `CN=<name>` and its key (PEM, PKCS#8), signed by the clients CA the listener
     * trusts: what Strimzi's User Operator writes to a `tls` KafkaUser's Secret (`user.crt`, `user.key`).
     */
    issueUserCertificate(name: string): { cert: string; key: string };
  };
}

const LOG4J = `
Configuration:
  status: warn
  Appenders:
    Console: { name: STDOUT, PatternLayout: { Pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: WARN, AppenderRef: [{ ref: STDOUT }] }
    Logger:
      - { name: kafka.server.KafkaServer, level: INFO }
      - { name: kafka.server.BrokerServer, level: INFO }
`;

/**
 * A single-node KRaft broker (broker and controller in one JVM) on free loopback ports. `host` puts its client
 * listener (and the address it advertises) on another local address, e.g. a test cluster's host address that
 * pods reach. Topics are created on first use unless `autoCreateTopics` is false (as on a managed Kafka whose
 * topics an operator owns).
 *
 * `security` makes it a broker that trusts no one by default, as a Strimzi cluster with authentication and
 * `authorization: simple`: the client listener is SASL_PLAINTEXT with SCRAM-SHA-512, Kafka's
 * StandardAuthorizer refuses whatever no ACL allows (`allow.everyone.if.no.acl.found=false`), and only the
 * super user may do anything at first. The controller listener stays PLAINTEXT on 127.0.0.1, its principal
 * (`User:ANONYMOUS`, the broker talking to its own controller) a super user too: KRaft cannot use SCRAM there.
 */
export async function startKafka(
  options: {
    heapMb?: number;
    partitions?: number;
    host?: string;
    autoCreateTopics?: boolean;
    security?: KafkaSecurityOptions;
  } = {},
): Promise<KafkaInstance> {
  const host = options.host ?? '127.0.0.1';
  const paths = componentPaths();
  requireComponent(paths.kafkaLibs, 'kafka');
  const dir = makeWorkdir('kafka');
  const [port, controllerPort] = [await freePort(host), await freePort()];
  const secure = options.security ? await securityConfig(options.security, dir.path, host, port) : null;
  const props = join(dir.path, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      ...(secure?.listenerProperties(controllerPort) ?? [
        `listeners=PLAINTEXT://${host}:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://${host}:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      ]),
      `log.dirs=${join(dir.path, 'data')}`,
      `num.partitions=${options.partitions ?? 1}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      `auto.create.topics.enable=${options.autoCreateTopics ?? true}`,
      'log.flush.interval.messages=9223372036854775807',
      '',
    ].join('\n'),
  );
  const log4j = join(dir.path, 'log4j2.yaml');
  writeFileSync(log4j, LOG4J);
  const classpath = `${paths.kafkaLibs}/*`;
  const jvm = [
    `-Xms256m`,
    `-Xmx${options.heapMb ?? 768}m`,
    '-XX:+UseG1GC',
    `-Dlog4j2.configurationFile=${log4j}`,
  ];
  execFileSync(
    paths.java,
    [
      ...jvm,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      randomUUID(),
      '-c',
      props,
      // The super user's SCRAM credentials go into the first metadata records: it can log in from the start.
      ...(secure ? ['--add-scram', secure.formatScram] : []),
    ],
    { stdio: 'pipe' },
  );

  let broker: ManagedProcess | undefined;
  const start = async () => {
    broker = startProcess({
      name: 'kafka',
      command: paths.java,
      args: [...jvm, '-cp', classpath, 'kafka.Kafka', props],
      logFile: join(dir.path, 'kafka.log'),
    });
    const current = broker;
    await waitUntil(
      'the Kafka broker to accept connections',
      async () => {
        if (current.exited()) throw new Error('broker exited');
        return portAccepts(port, host);
      },
      { timeoutMs: 90_000, logHint: () => current.tail() },
    );
  };
  await start();

  return {
    brokers: [`${host}:${port}`],
    bootstrap: `${host}:${port}`,
    workdir: dir.path,
    start,
    stop: async () => {
      await broker?.stop(20_000);
    },
    destroy: async () => {
      await broker?.stop(20_000);
      dir.remove();
    },
    javaToolArgs: (mainClass, args) => [...jvm, '-cp', classpath, mainClass, ...args],
    ...(secure ? { security: secure.security } : {}),
  };
}

/** The listeners and security settings of a `security` broker, and what the harness needs to log in. */
async function securityConfig(options: KafkaSecurityOptions, dir: string, host: string, port: number) {
  const { username, password } = options.superUser;
  if (!CREDENTIAL.test(username) || !CREDENTIAL.test(password))
    throw new Error('startKafka: the super user name and password must be letters, digits, ".", "_" or "-"');
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
  const adminProperties = join(dir, 'admin-client.properties');
  writeFileSync(
    adminProperties,
    ['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-512', `sasl.jaas.config=${jaas}`, ''].join(
      '\n',
    ),
  );
  const tlsPort = options.mutualTls ? await freePort(host) : null;
  const certs: KafkaCertificates | null = options.mutualTls
    ? makeKafkaCertificates(join(dir, 'certs'), host)
    : null;
  const security: KafkaSecurity = {
    superUser: { username, password },
    adminProperties,
    ...(certs && tlsPort
      ? {
          tls: {
            bootstrap: `${host}:${tlsPort}`,
            clusterCaCert: certs.clusterCaCert,
            issueUserCertificate: certs.issueUserCertificate,
          },
        }
      : {}),
  };
  // A Java properties value reads a backslash followed by "n" as a newline, which the PEM values need.
  const pem = (text: string) => text.trim().replaceAll('\n', '\\n');
  const listenerProperties = (controllerPort: number) => [
    `listeners=SASL_PLAINTEXT://${host}:${port}${tlsPort ? `,SSL://${host}:${tlsPort}` : ''},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_PLAINTEXT://${host}:${port}${tlsPort ? `,SSL://${host}:${tlsPort}` : ''}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
    // The broker's own connections to itself log in as the super user.
    'inter.broker.listener.name=SASL_PLAINTEXT',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:ANONYMOUS;User:${username}`,
    ...(certs
      ? [
          'listener.name.ssl.ssl.client.auth=required',
          'listener.name.ssl.ssl.keystore.type=PEM',
          `listener.name.ssl.ssl.keystore.certificate.chain=${pem(certs.brokerCert)}`,
          `listener.name.ssl.ssl.keystore.key=${pem(certs.brokerKey)}`,
          'listener.name.ssl.ssl.truststore.type=PEM',
          `listener.name.ssl.ssl.truststore.certificates=${pem(certs.clientsCaCert)}`,
        ]
      : []),
  ];
  return {
    security,
    listenerProperties,
    formatScram: `SCRAM-SHA-512=[name=${username},password=${password}]`,
  };
}
