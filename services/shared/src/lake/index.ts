export * from './lake-writer-env.js';
export * from './layout.js';
