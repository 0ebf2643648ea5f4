#!/usr/bin/env node
// The installed entry point: registers tsx so the TypeScript sources run as they are, with no
// build step between `npm ci` and `npx headcount`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
