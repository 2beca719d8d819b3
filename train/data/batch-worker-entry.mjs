// Entry of the data worker thread: enables TypeScript (tsx) in this thread, then runs the worker.
import { register } from 'tsx/esm/api';

register();
await import('./batch-worker.ts');
