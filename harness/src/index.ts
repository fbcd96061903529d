export * from './kafka.js';
export * from './kube.js';
export * from './paths.js';
export * from './ports.js';
export * from './postgres.js';
export * from './process.js';
export * from './s3.js';
export * from './workdir.js';
