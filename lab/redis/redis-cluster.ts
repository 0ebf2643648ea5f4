/**
 * A real Redis Cluster of `masterCount` masters (no replicas) on free ports, for tests and the
 * lab: each node is a `startRedisServer` with `--cluster-enabled yes`, joined by
 * `redis-cli --cluster create ... --cluster-yes`, then waited on until every node says
 * `cluster_state:ok`. Cluster state files go to a temporary directory removed on `stop()`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertRedisInstalled, type RedisServer, startRedisServer } from './redis-server.ts';

const run = promisify(execFile);

export interface RedisCluster {
  nodes: RedisServer[];
  /** `redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...`, the form `--redis` accepts. */
  url: string;
  /** `127.0.0.1:p1,127.0.0.1:p2,...` */
  addresses: string[];
  stop(): Promise<void>;
}

/** At least 3 masters: `redis-cli --cluster create` refuses fewer. */
export async function startRedisCluster(masterCount = 3, readyTimeoutMs = 10_000): Promise<RedisCluster> {
  if (masterCount < 3) throw new Error(`a Redis Cluster needs at least 3 masters; got ${masterCount}`);
  assertRedisInstalled();
  assertRedisInstalled('redis-cli');
  const directory = mkdtempSync(path.join(tmpdir(), 'headcount-redis-cluster-'));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < masterCount; index += 1) {
      nodes.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(directory, `nodes-${index}.conf`),
            '--cluster-node-timeout',
            '2000',
            '--dir',
            directory,
          ],
        }),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    await waitClusterOk(nodes, readyTimeoutMs);
    return { nodes, addresses, url: `redis-cluster://${addresses.join(',')}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitClusterOk(nodes: RedisServer[], readyTimeoutMs: number): Promise<void> {
  const startedAtMs = Date.now();
  for (;;) {
    const states = await Promise.all(
      nodes.map((node) =>
        run('redis-cli', ['-p', String(node.port), 'cluster', 'info']).then(
          (out) => out.stdout.includes('cluster_state:ok'),
          () => false,
        ),
      ),
    );
    if (states.every(Boolean)) return;
    if (Date.now() - startedAtMs > readyTimeoutMs) {
      throw new Error(`Redis Cluster not ok within ${readyTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
