export * from './listeners.js';
export * from './map.js';
export * from './poller.js';
export * from './spotify-client.js';
export * from './state.js';
export * from './state-blobs.js';
