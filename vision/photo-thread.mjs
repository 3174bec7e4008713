// Entry of the photo-analysis worker thread. The vision code is TypeScript run through tsx, as in the CLI.
import { register } from 'tsx/esm/api';

register();
const { analyzeTask } = await import('./photo-threads.ts');
export default analyzeTask;
