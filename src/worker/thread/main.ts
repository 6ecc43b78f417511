/** Entry point of an app thread (worker_threads), started by its worker process (host/app-threads.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadData } from '../../shared/ipc';
import { runAppThread } from './app-thread';

if (parentPort === null) throw new Error('thread/main must run as a worker thread');
runAppThread(workerData as ThreadData, parentPort);
