// Worker threads do not inherit the parent's tsx loader: register it, then load the TypeScript
// worker. pool.ts starts every simulation worker through this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
