/**
 * Variables whose values are credentials. They reach a pod only from a Secret (secretKeyRef), never a
 * ConfigMap or a plain env value; a listener's refresh token is one more, under the name it gives
 * (`refresh_token_env`).
 */
export const SECRET_ENV_NAMES = [
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_JAAS_CONFIG',
  'KAFKA_SSL_KEY',
  'LAKE_ACCESS_KEY',
  'LAKE_SECRET_KEY',
  'SPOTIFY_CLIENT_SECRET',
  'POSTGRES_PASSWORD',
  'SNOWFLAKE_PASSWORD',
] as const;
export type SecretEnvName = (typeof SECRET_ENV_NAMES)[number];
