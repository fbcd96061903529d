export * from './export-row.js';
export * from './file-target.js';
export * from './import.js';
export * from './inputs.js';
export * from './map.js';
