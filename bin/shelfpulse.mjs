#!/usr/bin/env node
// The CLI is TypeScript run through tsx: no build step, and tsx caches transforms so a second start is fast.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// The old space may grow to 1.5x what the last full collection kept, instead of the up-to-4x V8 picks by itself.
// Under steady ingest most of the garbage is old (rows wait in the log's tail and the sink's batch past the young
// generation), so with V8's own factor the used heap swung between ~270 and ~800 MB and the reserved heap kept
// creeping up (+6 MB/min over 9 minutes); with 1.5x the major collections come more often, each as cheap, and the
// heap stays between ~200 and ~350 MB. A --heap-growing-percent given to node wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) v8.setFlagsFromString('--heap-growing-percent=50');

register();
await import('./cli.ts');
