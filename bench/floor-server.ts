/**
 * The platform's floor: the least a node:net line server can do, as a separate process, so every
 * server bench can put headcount next to it in the same run. Per connection: one 'data' listener
 * (and an 'error' one, without which a reset kills the process) that answers each '\n' in the
 * chunk with `42\n`, one write per chunk. No limits, no parsing, no sessions, no metrics: what
 * headcount costs beyond this row is what its features and bounds cost. redis-server is the bar
 * for users; this is the bar for the platform we chose.
 *
 * Run: `node --import tsx bench/floor-server.ts [port]` prints `{"msg":"listening","port":N}`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { isMain } from './report.ts';

const reply = Buffer.from('42\n');

function serve(port: number): void {
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      let lines = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      if (lines === 1) socket.write(reply);
      else if (lines > 1) socket.write(reply.toString('latin1').repeat(lines));
    });
  });
  server.listen({ host: '127.0.0.1', port, backlog: 4096 }, () => {
    const address = server.address() as net.AddressInfo;
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: address.port })}\n`);
  });
}

export interface FloorServer {
  port: number;
  pid: number;
  kill(): Promise<void>;
}

/** Spawns the floor server as its own process (like `headcount serve` and redis-server). */
export async function startFloorServer(env: NodeJS.ProcessEnv = {}): Promise<FloorServer> {
  const file = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', file, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((entry) => entry.includes('"listening"'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then(() => reject(new Error('the floor server exited before listening')));
  });
  return {
    port,
    pid: child.pid ?? -1,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

if (isMain(import.meta.url)) serve(Number(process.argv[2] ?? 0));
