import { describe, expect, it } from 'vitest';
import { kafkaSasl, kafkaTls, parseJaasConfig } from './kafka-auth.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
// What Strimzi's User Operator writes under sasl.jaas.config (KafkaUserModel.getSaslJsonConfig).
const STRIMZI_JAAS =
  'org.apache.kafka.common.security.scram.ScramLoginModule required username="wrapped-lake-writer" password="s3cr3tGeneratedBy0perator";';

describe('kafkaTls', () => {
  it('is off without KAFKA_SSL and on with the PEM material given', () => {
    expect(kafkaTls({ KAFKA_SSL: false })).toBeNull();
    expect(kafkaTls({ KAFKA_SSL: true })).toEqual({});
    expect(
      kafkaTls({ KAFKA_SSL: true, KAFKA_SSL_CA: CERT, KAFKA_SSL_CERT: CERT, KAFKA_SSL_KEY: KEY }),
    ).toEqual({
      ca: CERT,
      cert: CERT,
      key: KEY,
    });
    expect(
      kafkaTls({
        KAFKA_SSL: true,
        KAFKA_SSL_KEY: KEY.replaceAll('PRIVATE', 'EC PRIVATE'),
        KAFKA_SSL_CERT: CERT,
      }),
    ).toMatchObject({ cert: CERT });
  });

  it.each([
    [{ KAFKA_SSL: false, KAFKA_SSL_CA: CERT }, 'KAFKA_SSL_CA: set, but KAFKA_SSL is false'],
    [{ KAFKA_SSL: true, KAFKA_SSL_CA: 'x' }, 'KAFKA_SSL_CA: is not a PEM certificate'],
    [{ KAFKA_SSL: true, KAFKA_SSL_CERT: CERT }, 'KAFKA_SSL_CERT: set without KAFKA_SSL_KEY'],
    [{ KAFKA_SSL: true, KAFKA_SSL_KEY: KEY }, 'KAFKA_SSL_KEY: set without KAFKA_SSL_CERT'],
    [
      { KAFKA_SSL: true, KAFKA_SSL_CERT: KEY, KAFKA_SSL_KEY: KEY },
      'KAFKA_SSL_CERT: is not a PEM certificate',
    ],
    [
      { KAFKA_SSL: true, KAFKA_SSL_CERT: CERT, KAFKA_SSL_KEY: CERT },
      'KAFKA_SSL_KEY: is not a PEM private key',
    ],
  ])('refuses %j, naming the variable', (settings, message) => {
    expect(() => kafkaTls(settings)).toThrow(message);
  });
});

describe('kafkaSasl', () => {
  it('takes a SCRAM user from the JAAS line, the password variable first', () => {
    expect(
      kafkaSasl({
        KAFKA_SSL: false,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_JAAS_CONFIG: STRIMZI_JAAS,
      }),
    ).toEqual({
      mechanism: 'scram-sha-512',
      username: 'wrapped-lake-writer',
      password: 's3cr3tGeneratedBy0perator',
    });
    expect(
      kafkaSasl({
        KAFKA_SSL: false,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_JAAS_CONFIG: STRIMZI_JAAS,
        KAFKA_SASL_PASSWORD: 'from-password-key',
      }),
    ).toMatchObject({ username: 'wrapped-lake-writer', password: 'from-password-key' });
    expect(kafkaSasl({ KAFKA_SSL: false })).toBeNull();
  });

  it('says which credential is missing, never its value', () => {
    const noUser = () =>
      kafkaSasl({ KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'hunter2' });
    expect(noUser).toThrow('needs KAFKA_SASL_USERNAME (or KAFKA_SASL_JAAS_CONFIG)');
    expect(noUser).not.toThrow('hunter2');
    expect(() =>
      kafkaSasl({
        KAFKA_SSL: false,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: '',
      }),
    ).toThrow('needs KAFKA_SASL_PASSWORD');
    expect(() => kafkaSasl({ KAFKA_SSL: false, KAFKA_SASL_JAAS_CONFIG: STRIMZI_JAAS })).toThrow(
      'KAFKA_SASL_MECHANISM is not',
    );
  });
});

describe('parseJaasConfig', () => {
  it('reads escaped quotes and any option order', () => {
    expect(parseJaasConfig('x.y.Module required password="a\\"b" username="me";')).toEqual({
      username: 'me',
      password: 'a"b',
    });
  });

  it.each([
    ['', 'not a JAAS login line'],
    ['username="u" password="p"', 'not a JAAS login line'],
    ['m.Module required username="u";', 'has no password'],
    ['m.Module required password="p";', 'has no username'],
    [`m.Module required username="${'u'.repeat(9000)}" password="p";`, 'longer than 8192'],
  ])('refuses %j', (text, message) => {
    expect(() => parseJaasConfig(text)).toThrow(message);
  });

  it('does not put the password in its error', () => {
    expect(() => parseJaasConfig('m.Module required password="topsecret";')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('topsecret') }),
    );
  });
});
