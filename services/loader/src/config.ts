import { loadConfig } from '@spotify-pipeline/shared';
import { type LoaderEnv, loaderEnvSchema } from '@spotify-pipeline/shared/workloads';

export type { WarehouseConfig } from '@spotify-pipeline/shared/workloads';
export type LoaderConfig = LoaderEnv;

/** The loader's settings from its env schema (shared with the operator, which builds the jobs' env). */
export function loadLoaderConfig(source: NodeJS.ProcessEnv = process.env): LoaderConfig {
  return loadConfig(loaderEnvSchema, source);
}
