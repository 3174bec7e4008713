// Entry of the photo-analysis worker thread. The vision code is TypeScript run through tsx, as in the CLI.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { analyzeTask } = await import('./photo-threads.ts');
/** The vision settings come once, as the pool's workerData (configurePhotoThreads). */
export default (task) => analyzeTask(task, workerData);
