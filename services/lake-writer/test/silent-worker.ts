// A classify worker that takes requests and never answers: the pool's deadline is all that moves it on.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {});
