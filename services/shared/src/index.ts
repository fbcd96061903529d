export * from './config.js';
export * from './contract/index.js';
export * from './describe.js';
export * from './errors.js';
export * from './logging.js';
export * from './metrics.js';
export * from './run-main.js';
export * from './shutdown.js';
