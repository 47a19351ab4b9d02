// Worker entry: loads the TypeScript worker through tsx, whatever loader the parent runs under.
import { register } from 'tsx/esm/api';

register();
await import('./planner.worker.ts');
