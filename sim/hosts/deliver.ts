/**
 * How a simulated host hands a result back to the server that asked: `deliver(server, epoch,
 * opId, result)`. A result addressed to an earlier boot (`epoch`) is dropped, as a new process
 * would never see it. Implemented by `ServerHost.deliver`.
 */
import type { SimServer } from '../server-node.ts';

export type Deliver = (server: SimServer, epoch: number, opId: number, result: unknown) => void;
