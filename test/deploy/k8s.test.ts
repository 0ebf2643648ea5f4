/**
 * `headcount deploy k8s` (deploy/k8s/). Goal: the manifests are valid Kubernetes, the checked-in
 * copy under ops/k8s/ is exactly what the generator writes today, kustomize builds every folder,
 * and the values that matter to a rollout follow the server's flags: the grace period outlasts
 * the whole stop, the descriptor budget covers --max-connections, and the args are ones
 * `headcount serve` accepts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { fc, test as propertyTest } from '@fast-check/vitest';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { afterAll, describe, expect, test } from 'vitest';
import { k8sLayout } from '../../deploy/k8s/layout.ts';
import { type DeployK8sOptions, parseDeployK8sOptions } from '../../deploy/k8s/options.ts';
import { fdBudget } from '../../deploy/k8s/pod.ts';
import { serverDeployment, terminationGraceSeconds } from '../../deploy/k8s/server.ts';
import { stopMsMax } from '../../impl/adapters/server.ts';
import { parseServeOptions } from '../../impl/config/serve-options.ts';
import { requireBinary } from '../support/require-binary.ts';
import { headcountBin } from '../support/spawn-headcount.ts';
import { type Manifest, parseManifests, validateManifest } from './manifest-models.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'headcount-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function options(raw: Record<string, unknown> = {}): DeployK8sOptions {
  const parsed = parseDeployK8sOptions(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .map((path) => relative(dir, join(dir, path)))
    .sort();
}

/** `--max-connections=10000` -> { maxConnections: '10000' }, as commander hands flags to serve. */
function flagsOf(args: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    args
      .filter((arg) => arg.startsWith('--'))
      .map((arg) => {
        const [name, value] = arg.slice(2).split('=', 2) as [string, string];
        return [name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()), value];
      }),
  );
}

function serverContainer(layout: Map<string, string>, mode: 'a' | 'c') {
  const [deployment] = parseManifests(layout.get(`overlays/${mode}/server-deployment.yaml`) ?? '');
  return { deployment, container: deployment?.spec.template.spec.containers[0] };
}

describe('deploy k8s: the generated manifests', () => {
  const layout = k8sLayout(options());

  test('every generated object validates against the Kubernetes and Prometheus Operator schemas', () => {
    const manifests = [...layout]
      .filter(([path]) => !path.endsWith('kustomization.yaml'))
      .flatMap(([, text]) => parseManifests(text));
    expect(manifests.length).toBe(16);
    for (const manifest of manifests) expect(() => validateManifest(manifest), manifest.kind).not.toThrow();
  });

  test('the schema check is live: a container port that is not an integer is refused', () => {
    const deployment = serverDeployment(options(), 'a');
    const container = deployment.spec?.template.spec?.containers[0];
    if (container?.ports?.[0] === undefined) throw new Error('no port');
    container.ports[0].containerPort = '7000' as unknown as number;
    expect(() => new Deployment(deployment.toJSON() as never).validate()).toThrow(/containerPort/);
  });

  test('ops/k8s holds exactly what `headcount deploy k8s` writes with its defaults', () => {
    expect(filesUnder('ops/k8s')).toEqual([...layout.keys()].sort());
    for (const [path, text] of layout) expect(readFileSync(join('ops/k8s', path), 'utf8'), path).toBe(text);
  });

  test.each(['a', 'c'] as const)('mode %s: the server args are ones `headcount serve` accepts', (mode) => {
    const { container } = serverContainer(layout, mode);
    const flags = flagsOf(container.args.slice(1));
    // Kubernetes substitutes $(POD_IP) from the downward API before the process starts.
    flags.adminHost = '10.0.0.7';
    flags.discovery = typeof flags.discovery === 'string' ? flags.discovery.split(',') : undefined;
    if (flags.discovery === undefined) delete flags.discovery;
    const parsed = parseServeOptions(flags);
    expect(parsed.ok ? parsed.value.mode : parsed.error).toBe(mode);
    expect(container.args[0]).toBe('serve');
  });

  test('mode C lists every discovery instance by its own name and takes the token from a Secret', () => {
    const { container } = serverContainer(layout, 'c');
    const discovery = String(flagsOf(container.args).discovery).split(',');
    const [statefulSet] = parseManifests(layout.get('overlays/c/discovery-statefulset.yaml') ?? '');
    expect(discovery).toHaveLength(statefulSet?.spec.replicas);
    expect(discovery[1]).toBe('http://headcount-discovery-1.headcount-discovery:7100');
    expect(container.env).toContainEqual({
      name: 'HEADCOUNT_TOKEN',
      valueFrom: { secretKeyRef: { name: 'headcount-token', key: 'token' } },
    });
    expect(JSON.stringify([...layout.values()])).not.toMatch(/kind: Secret/);
  });

  test('probes: readiness on /readyz and liveness on /healthz, on the admin port the server listens on', () => {
    const { container } = serverContainer(layout, 'a');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    const admin = container.ports.find((port: { name: string }) => port.name === 'admin');
    expect(flagsOf(container.args).adminPort).toBe(String(admin.containerPort));
  });

  test('the Service is a TCP LoadBalancer on the client port, and a PDB keeps all but one server up', () => {
    const [service] = parseManifests(layout.get('base/server-service.yaml') ?? '') as Manifest[];
    expect(service?.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 7000 }] });
    const [budget] = parseManifests(layout.get('base/server-pdb.yaml') ?? '');
    expect(budget?.spec.maxUnavailable).toBe(1);
  });

  test('the PrometheusRule holds the rules `headcount slo rules` prints, and the dashboard ConfigMap its JSON', () => {
    const [rule] = parseManifests(layout.get('monitoring/prometheus-rule.yaml') ?? '');
    const [rulesFile] = parseManifests(readFileSync('ops/prometheus/headcount-slo.rules.yaml', 'utf8'));
    expect(rule?.spec.groups).toEqual((rulesFile as unknown as { groups: unknown }).groups);
    const [dashboard] = parseManifests(layout.get('monitoring/dashboard-configmap.yaml') ?? '');
    expect(dashboard?.data?.['headcount-dashboard.json']).toBe(
      readFileSync('ops/grafana/headcount-dashboard.json', 'utf8'),
    );
  });

  propertyTest.prop([fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 1, max: 1_000_000 })])(
    'the grace period outlasts preStop plus the whole stop, and the fd budget covers every connection',
    (drainMs, maxConnections) => {
      const deployment = serverDeployment(options({ drainMs, maxConnections }), 'a').toJSON() as Manifest;
      const container = deployment.spec.template.spec.containers[0];
      const graceSeconds = deployment.spec.template.spec.terminationGracePeriodSeconds as number;
      const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
      expect(graceSeconds).toBe(terminationGraceSeconds(drainMs));
      expect((graceSeconds - preStopSeconds) * 1000).toBeGreaterThan(stopMsMax(drainMs));
      const nofile = container.env.find((env: { name: string }) => env.name === 'HEADCOUNT_NOFILE');
      expect(Number(nofile.value)).toBe(fdBudget(maxConnections));
      expect(fdBudget(maxConnections)).toBeGreaterThan(maxConnections);
      expect(flagsOf(container.args).maxConnections).toBe(String(maxConnections));
    },
  );

  test('the sweep is an Indexed Job with the shard count in HEADCOUNT_SHARD_COUNT and no --shard flag', () => {
    const [job] = parseManifests(layout.get('jobs/sweep/sweep-job.yaml') ?? '');
    const container = job?.spec.template.spec.containers[0];
    expect(job?.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    expect(container.env).toContainEqual({ name: 'HEADCOUNT_SHARD_COUNT', value: '4' });
    expect(container.args.some((arg: string) => arg.startsWith('--shard'))).toBe(false);
    expect(container.args).toContain('--out=/results/sweep/shard-$(JOB_COMPLETION_INDEX)');
    const [report] = parseManifests(layout.get('jobs/sweep/report-job.yaml') ?? '');
    const script: string = report?.spec.template.spec.containers[0].command[2];
    expect(script).toContain(
      'report /results/sweep/shard-0 /results/sweep/shard-1 /results/sweep/shard-2 /results/sweep/shard-3',
    );
  });

  test('the load test splits --load-connections evenly over the pods and sizes each pod’s fd budget', () => {
    const generated = k8sLayout(options({ loadPods: 8, loadConnections: 80_000 }));
    const [job] = parseManifests(generated.get('jobs/load/load-job.yaml') ?? '');
    const container = job?.spec.template.spec.containers[0];
    expect(job?.spec.completions).toBe(8);
    expect(container.args).toContain('--connections=10000');
    expect(container.env).toContainEqual({ name: 'HEADCOUNT_NOFILE', value: String(fdBudget(10_000)) });
    expect(parseDeployK8sOptions({ loadPods: 3, loadConnections: 10 }).ok).toBe(false);
    expect(parseDeployK8sOptions({ redis: 'memory' }).ok).toBe(false);
    expect(parseDeployK8sOptions({ redis: 'redis-sentinel://s1:26379,s2:26379/mymaster' }).ok).toBe(true);
  });
});

describe('deploy k8s: kustomize builds every folder', () => {
  const folders = ['overlays/a', 'overlays/c', 'monitoring', 'jobs/sweep', 'jobs/load'];

  test.each(folders)(
    'kubectl kustomize ops/k8s/%s builds, and every object it emits validates',
    async (folder) => {
      const kubectl = requireBinary('kubectl', 'kubernetes-client');
      const { stdout } = await run(kubectl, ['kustomize', join('ops/k8s', folder)]);
      const manifests = parseManifests(stdout);
      expect(manifests.length).toBeGreaterThan(0);
      for (const manifest of manifests) expect(() => validateManifest(manifest), manifest.kind).not.toThrow();
      if (folder.startsWith('overlays/')) {
        expect(manifests.map((manifest) => manifest.kind)).toEqual(
          expect.arrayContaining(['Deployment', 'Service', 'PodDisruptionBudget']),
        );
      }
    },
  );
});

describe('deploy k8s: the command', () => {
  test('--mode c --out DIR writes base, the mode C overlay, monitoring and the Jobs, and no mode A overlay', async () => {
    const out = join(work, 'deploy');
    const { stdout } = await run(process.execPath, [
      headcountBin,
      'deploy',
      'k8s',
      '--mode',
      'c',
      '--out',
      out,
    ]);
    expect(stdout).toContain('wrote 20 files');
    const files = filesUnder(out);
    expect(files).toContain('overlays/c/discovery-statefulset.yaml');
    expect(files.some((file) => file.startsWith('overlays/a/'))).toBe(false);
    for (const file of files.filter((name) => !name.endsWith('kustomization.yaml')))
      for (const manifest of parseManifests(readFileSync(join(out, file), 'utf8')))
        validateManifest(manifest);
   }, 60_000);

  test('a bad flag exits 2 and names it', async () => {
    const failure = await run(process.execPath, [
      headcountBin,
      'deploy',
      'k8s',
      '--out',
      join(work, 'bad'),
      '--load-pods',
      '3',
      '--load-connections',
      '10',
    ]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--load-connections');
  }, 60_000);
});
