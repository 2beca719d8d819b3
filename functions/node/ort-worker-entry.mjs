// Entry of an inference worker thread: enables TypeScript (tsx) in this thread, then runs it.
import { register } from 'tsx/esm/api';

register();
await import('./ort-worker.ts');
