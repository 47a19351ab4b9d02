// Worker entry for the benches: loads a TypeScript module through tsx, as the planner worker does.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
