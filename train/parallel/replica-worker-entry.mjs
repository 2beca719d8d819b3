// Entry of a training replica thread: enables TypeScript (tsx) in this thread, then runs the replica.
import { register } from 'tsx/esm/api';

register();
await import('./replica-worker.ts');
