/**
 * Closing ramp's Temporal connection while a call is being retried: @temporalio/client retries a
 * failed call from a timer that `Connection.close()` does not clear, and that retry, firing after
 * the close, threw "Channel has been shut down" as an uncaught exception (cli/closable-retry.ts).
 * A real dev server is stopped under a connected RampTemporal so that its reads fail UNAVAILABLE
 * and are retried; the connection is closed meanwhile; every read settles, and nothing is thrown
 * outside them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cliSettings, RampTemporal } from '../../cli/connection.js';
import { startDevServer } from '../../scripts/lib/dev-server.js';
import { ensureTemporalCli } from '../../scripts/lib/tools.js';

test('a connection closed while its reads are retried against a stopped server: every read settles, nothing is thrown outside them', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-connection-close-'));
  const server = await startDevServer({ temporal: (await ensureTemporalCli()).path, logFile: path.join(dir, 'temporal.log') });
  const uncaught: unknown[] = [];
  const record = (error: unknown) => void uncaught.push(error);
  process.on('uncaughtException', record);
  try {
    const io = { stdout: () => {}, stderr: () => {}, isTty: false, cwd: dir, env: { TEMPORAL_ADDRESS: server.address, RAMP_UPDATE_TIMEOUT_MS: '20000' } };
    const temporal = await RampTemporal.connect(cliSettings(io, {}));
    await temporal.client.workflowService.getSystemInfo({});
    await server.stop();
    // Reads of a server that is gone: UNAVAILABLE, retried with back-off until the deadline.
    const reads = Array.from({ length: 5 }, (_, i) =>
      temporal.promotionStatus(`web@1.0.${i}`).then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    );
    await temporal.close();
    // A deadline, not a pause: the reads settle as soon as their last retry has its answer.
    let deadline: NodeJS.Timeout | undefined;
    const outcomes = await Promise.race([
      Promise.all(reads),
      new Promise<string[]>((resolve) => (deadline = setTimeout(() => resolve(['unsettled after 90 s']), 90_000))),
    ]);
    clearTimeout(deadline);
    assert.deepEqual(uncaught, [], 'nothing thrown outside the reads (a retry after the close)');
    assert.equal(outcomes.length, 5, outcomes.join('; '));
    for (const outcome of outcomes) assert.notEqual(outcome, 'answered', 'the server is stopped: no read can be answered');
  } finally {
    process.off('uncaughtException', record);
    await server.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});
