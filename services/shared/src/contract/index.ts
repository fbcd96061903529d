export * from './catalog.js';
export * from './event-id.js';
export * from './ground-truth.js';
export * from './json-schema.js';
export * from './listening-event.js';
export * from './timestamp.js';
export * from './topics.js';
export * from './validate.js';
