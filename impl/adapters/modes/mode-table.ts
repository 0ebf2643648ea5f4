/**
 * The counting modes a server can run, each a literal lazy import: mode A loads ioredis and mode
 * C the discovery client only when chosen. Adding a mode is one row here and one file beside it.
 */
import type { ServeOptions } from '../../config/serve-options.ts';
import type { ModeFactory } from './mode-runtime.ts';

export const modeTable: Readonly<Record<ServeOptions['mode'], () => Promise<ModeFactory>>> = {
  local: async () => (await import('./local.ts')).createModeRuntime,
  a: async () => (await import('./a.ts')).createModeRuntime,
  c: async () => (await import('./c.ts')).createModeRuntime,
};
