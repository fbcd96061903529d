// How a client proves who it is and whom it trusts, from env, for any Kafka client library: TLS material as
// PEM text and SASL credentials. On Kubernetes every value comes from a Secret by secretKeyRef: Strimzi's
// cluster CA Secret (ca.crt) and the Secret its User Operator writes for a KafkaUser (user.crt and user.key
// for TLS; password and sasl.jaas.config for SCRAM-SHA-512). docs/sources.md lists every Kafka variable.
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** The variables beside KAFKA_SSL and KAFKA_SASL_MECHANISM/USERNAME/PASSWORD (all optional). */
export const kafkaAuthEnvShape = {
  /** PEM certificate(s) of the CA that signed the brokers' certificates; default the system's CAs. */
  KAFKA_SSL_CA: z.string().min(1).optional(),
  /** PEM client certificate for mutual TLS (a Strimzi `tls` KafkaUser's user.crt). */
  KAFKA_SSL_CERT: z.string().min(1).optional(),
  /** PEM private key of KAFKA_SSL_CERT (user.key). */
  KAFKA_SSL_KEY: z.string().min(1).optional(),
  /**
   * A JAAS login line (a Strimzi SCRAM KafkaUser's sasl.jaas.config): the username and, unless
   * KAFKA_SASL_PASSWORD is set, the password are read from it.
   */
  KAFKA_SASL_JAAS_CONFIG: z.string().min(1).optional(),
};

interface AuthSettings {
  KAFKA_SSL: boolean;
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SSL_CA?: string | undefined;
  KAFKA_SSL_CERT?: string | undefined;
  KAFKA_SSL_KEY?: string | undefined;
  KAFKA_SASL_JAAS_CONFIG?: string | undefined;
}

export interface KafkaTls {
  ca?: string;
  cert?: string;
  key?: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----[\s\S]+?-----END ([A-Z ]+ )?PRIVATE KEY-----/;

/** The TLS settings, null without KAFKA_SSL; throws a ConfigError naming the variable that cannot work. */
export function kafkaTls(settings: AuthSettings): KafkaTls | null {
  const { KAFKA_SSL_CA: ca, KAFKA_SSL_CERT: cert, KAFKA_SSL_KEY: key } = settings;
  if (!settings.KAFKA_SSL) {
    const set = Object.entries({ KAFKA_SSL_CA: ca, KAFKA_SSL_CERT: cert, KAFKA_SSL_KEY: key })
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    if (set.length > 0)
      throw new ConfigError(`${set.join(', ')}: set, but KAFKA_SSL is false; set KAFKA_SSL=true to use TLS`);
    return null;
  }
  if (ca !== undefined && !PEM_CERT.test(ca))
    throw new ConfigError('KAFKA_SSL_CA: is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)');
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError(
      `${cert === undefined ? 'KAFKA_SSL_KEY' : 'KAFKA_SSL_CERT'}: set without ${cert === undefined ? 'KAFKA_SSL_CERT' : 'KAFKA_SSL_KEY'}; mutual TLS needs both`,
    );
  if (cert !== undefined && !PEM_CERT.test(cert))
    throw new ConfigError('KAFKA_SSL_CERT: is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)');
  if (key !== undefined && !PEM_KEY.test(key))
    throw new ConfigError('KAFKA_SSL_KEY: is not a PEM private key (-----BEGIN PRIVATE KEY----- ...)');
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
  };
}

export interface KafkaSasl {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** The SASL credentials, null without KAFKA_SASL_MECHANISM; throws a ConfigError when one is missing. */
export function kafkaSasl(settings: AuthSettings): KafkaSasl | null {
  const mechanism = settings.KAFKA_SASL_MECHANISM;
  if (!mechanism) {
    if (settings.KAFKA_SASL_JAAS_CONFIG !== undefined)
      throw new ConfigError('KAFKA_SASL_JAAS_CONFIG: set, but KAFKA_SASL_MECHANISM is not; set it too');
    return null;
  }
  const jaas =
    settings.KAFKA_SASL_JAAS_CONFIG !== undefined ? parseJaasConfig(settings.KAFKA_SASL_JAAS_CONFIG) : null;
  const username = settings.KAFKA_SASL_USERNAME ?? jaas?.username;
  const password = settings.KAFKA_SASL_PASSWORD ?? jaas?.password;
  if (!username || !password)
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM=${mechanism} needs ${!username ? 'KAFKA_SASL_USERNAME' : 'KAFKA_SASL_PASSWORD'} (or KAFKA_SASL_JAAS_CONFIG)`,
    );
  return { mechanism, username, password };
}

const JAAS_OPTION = /(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"/g;

/**
 * The username and password of a JAAS login line such as Strimzi writes
 * (`org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";`).
 */
export function parseJaasConfig(text: string): { username: string; password: string } {
  if (text.length > 8192) throw new ConfigError('KAFKA_SASL_JAAS_CONFIG: longer than 8192 characters');
  if (!/^\s*[\w.$]+\s+(required|requisite|sufficient|optional)\s/.test(text))
    throw new ConfigError(
      'KAFKA_SASL_JAAS_CONFIG: not a JAAS login line (<LoginModule class> required username="..." password="...";)',
    );
  const options = new Map<string, string>();
  for (const [, name, value] of text.matchAll(JAAS_OPTION))
    if (name && value !== undefined) options.set(name, value.replace(/\\(.)/g, '$1'));
  const username = options.get('username');
  const password = options.get('password');
  if (!username || !password)
    throw new ConfigError(
      `KAFKA_SASL_JAAS_CONFIG: has no ${!username ? 'username' : 'password'}="..." option`,
    );
  return { username, password };
}
