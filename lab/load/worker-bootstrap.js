// Worker threads start without tsx's loader, so this small JavaScript file registers it and then
// loads the TypeScript worker; run-load.ts spawns workers with this file, never the .ts directly.
import { register } from 'tsx/esm/api';

register();
await import('./shard-worker.ts');
