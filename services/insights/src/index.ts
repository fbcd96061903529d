export * from './cache.js';
export * from './contract.js';
export * from './readers/create-reader.js';
export * from './readers/reader.js';
export * from './server.js';
