#!/usr/bin/env node
// The CLI is TypeScript run through tsx: no build step, and tsx caches transforms so a second start is fast.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
