// One env schema per workload. Each service reads its settings through its schema at start; the operator
// builds each pod's env from the same schema and parses it at reconcile, so a setting a pod would refuse is
// reported on the resource instead of shipped.
export * from '../lake/lake-writer-env.js';
export * from './flags.js';
export * from './history-import-env.js';
export * from './insights-env.js';
export * from './lake-access.js';
export * from './loader-env.js';
export * from './secret-env.js';
export * from './simulator-env.js';
export * from './source-env.js';
export * from './source-flags.js';
export * from './spotify-poller-env.js';
export * from './warehouse-env.js';
