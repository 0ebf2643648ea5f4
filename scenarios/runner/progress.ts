/**
 * Progress on stderr while runs complete. On a terminal, one line rewritten in place (done/total,
 * the current scenario, elapsed and remaining time); otherwise (CI logs, pipes) a plain line at
 * most every `quietIntervalMs` and when a scenario's last run finishes, so logs stay short.
 * Wall-clock time is fine here: progress is presentation, never part of a result.
 */
export interface Progress {
  done(runId: string, ok: boolean): void;
  finish(): void;
}

/** Non-terminal progress lines at most this often: enough to show life in a CI log. */
const quietIntervalMs = 10_000;

export function createProgress(total: number, stream: NodeJS.WriteStream | NodeJS.WritableStream): Progress {
  const isTty = 'isTTY' in stream && stream.isTTY === true;
  const startedAtMs = Date.now();
  let lastPrintAtMs = startedAtMs;
  let completed = 0;
  let failed = 0;
  const line = (runId: string) => {
    const elapsedMs = Date.now() - startedAtMs;
    const remainingMs = completed === 0 ? 0 : (elapsedMs / completed) * (total - completed);
    const failures = failed > 0 ? `, ${failed} failed` : '';
    return `[${completed}/${total}${failures}] ${(elapsedMs / 1000).toFixed(1)} s elapsed, ~${(remainingMs / 1000).toFixed(0)} s left  ${runId}`;
  };
  return {
    done(runId, ok) {
      completed++;
      if (!ok) failed++;
      const nowMs = Date.now();
      if (isTty) {
        const columns = (stream as NodeJS.WriteStream).columns ?? 100;
        stream.write(`\r\x1b[K${line(runId).slice(0, columns - 1)}`);
      } else if (nowMs - lastPrintAtMs >= quietIntervalMs || completed === total) {
        lastPrintAtMs = nowMs;
        stream.write(`${line(runId)}\n`);
      }
    },
    finish() {
      if (isTty && total > 0) stream.write('\r\x1b[K');
    },
  };
}
