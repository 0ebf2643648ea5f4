/** Mode `local`: no backend I/O at all; WHO is this server's own count. */
import { LocalBackend } from '../../core/local-backend.ts';
import type { ModeFactory } from './mode-runtime.ts';

export const createModeRuntime: ModeFactory = async () => ({
  backend: () => new LocalBackend(),
  execute: async () => undefined,
  close: async () => {},
});
