/**
 * Every limit of the server, with its default and the reason for it (STYLE §5). The CLI exposes
 * each one as a flag; `checkServerLimits` checks related limits together.
 */

/** A command is one short verb; 1024 bytes is ample and bounds the partial line kept per client. */
export const lineBytesMaxDefault = 1024;
/** Hard ceiling for --max-line-bytes: beyond 64 KiB a "line" is no longer a command. */
export const lineBytesMaxCeiling = 65_536;

/**
 * Replies waiting for an answer (a WHO in flight) before we stop reading from that client. One
 * read chunk may still add its lines on top, so the true bound is this plus one chunk's lines.
 */
export const pendingRepliesMaxDefault = 64;

/** Unsent reply bytes per client before we stop reading from it (backpressure). */
export const outputBytesMaxDefault = 16 * 1024;

/** A client whose unsent replies have not drained for this long is dropped: it never reads. */
export const writeStallMsDefault = 10_000;

/** File descriptors are 20,000 here; leave room for Redis, admin, logs and the listener. */
export const connectionsMaxDefault = 10_000;

/** Idle clients cost a descriptor and memory; five minutes of silence ends them. 0 = off. */
export const idleTimeoutMsDefault = 300_000;

/** 0 = off: connections live as long as the client wants. */
export const connectionAgeMsMaxDefault = 0;

/** Graceful drain on SIGTERM: long enough for in-flight WHO answers, short for deploys. */
export const drainMsDefault = 5_000;

export interface ServerLimits {
  lineBytesMax: number;
  pendingRepliesMax: number;
  outputBytesMax: number;
  writeStallMs: number;
  connectionsMax: number;
  /** 0 = no per-address limit. */
  connectionsPerIpMax: number;
  /** 0 = off. */
  idleTimeoutMs: number;
  /** 0 = off. */
  connectionAgeMsMax: number;
  drainMs: number;
}

export const serverLimitsDefault: Readonly<ServerLimits> = Object.freeze({
  lineBytesMax: lineBytesMaxDefault,
  pendingRepliesMax: pendingRepliesMaxDefault,
  outputBytesMax: outputBytesMaxDefault,
  writeStallMs: writeStallMsDefault,
  connectionsMax: connectionsMaxDefault,
  connectionsPerIpMax: 0,
  idleTimeoutMs: idleTimeoutMsDefault,
  connectionAgeMsMax: connectionAgeMsMaxDefault,
  drainMs: drainMsDefault,
});
