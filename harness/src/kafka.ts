import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
 */
export async function startKafka(
  options: { heapMb?: number; partitions?: number; host?: string; autoCreateTopics?: boolean } = {},
): Promise<KafkaInstance> {
  const host = options.host ?? '127.0.0.1';
  const paths = componentPaths();
  requireComponent(paths.kafkaLibs, 'kafka');
  const dir = makeWorkdir('kafka');
  const [port, controllerPort] = [await freePort(host), await freePort()];
  const props = join(dir.path, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://${host}:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${host}:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
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
    [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', randomUUID(), '-c', props],
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
  };
}
