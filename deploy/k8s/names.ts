/**
 * Names, labels and ports every manifest shares, in one place so a Service, its selector, the
 * PodMonitor and the probes cannot disagree. Ports come from the commands' own defaults where
 * they have one; the admin ports are fixed here because the commands default to "off".
 */
import { discoveryOptionsSchema } from '../../impl/adapters/discovery/discovery-options.ts';
import { serveDefaults } from './options.ts';

export const appName = 'headcount';
export const serverName = 'headcount';
export const discoveryName = 'headcount-discovery';
/** The Secret (created by the operator, never generated) holding the mode C control-plane token. */
export const tokenSecretName = 'headcount-token';
export const tokenSecretKey = 'token';

export const ports = {
  /** Clients' line protocol: `headcount serve --port`'s default. */
  client: serveDefaults.port,
  /** /healthz, /readyz, /metrics and mode C's /count. */
  serverAdmin: 9100,
  /** Discovery's JSON API: `headcount discovery --port`'s default. */
  discoveryApi: discoveryOptionsSchema.parse({ token: 'x' }).port,
  discoveryAdmin: 9101,
} as const;

/** The named container port that PodMonitor scrapes on servers and discovery alike. */
export const adminPortName = 'admin';

export type Component = 'server' | 'discovery' | 'sweep' | 'load';

export function labelsOf(component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': appName,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': appName,
  };
}

/** Selectors use the stable pair only; part-of may widen later without re-creating Deployments. */
export function selectorOf(component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': appName, 'app.kubernetes.io/component': component };
}
