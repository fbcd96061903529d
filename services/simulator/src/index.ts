export * from './catalog.js';
export * from './options.js';
export * from './run.js';
export * from './simulation.js';
export * from './sinks.js';
export * from './summary.js';
