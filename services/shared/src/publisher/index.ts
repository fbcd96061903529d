export * from './metrics.js';
export * from './producer.js';
export * from './publisher.js';
export * from './source-kafka.js';
