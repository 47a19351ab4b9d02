// Worker entry for the benches: loads a TypeScript module through tsx (benches run under tsx, see README).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
