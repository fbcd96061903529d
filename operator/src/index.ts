export * from './builders/index.js';
export * from './crd/spotify-pipeline.js';
export * from './operator.js';
export * from './plan/capacity-plan.js';
