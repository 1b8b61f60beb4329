/** Running `ramp` in-process for tests, and the CLI tests' pipeline (built by test/support/pipelines.ts). */
import { main } from '../../cli/main.js';
import type { CommandIo } from '../../cli/command.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RampActivities } from '../../activities/contract.js';
import type { ExitCode } from '../../cli/exit-codes.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { uniqueName } from '../support/pipelines.js';
import { pipelineYaml as seedPipelineYaml } from '../support/pipelines.js';

export interface RampRun {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

/** Runs `ramp <args>` with exactly this environment (never the process's). */
export async function ramp(args: string[], env: Record<string, string | undefined>, cwd = process.cwd()): Promise<RampRun> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd, env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/**
 * preview (direct) → production (an approval gate for alice and group:release-managers, then a
 * canary: setWeight 20, an indefinite pause, setWeight 60), from the one test pipeline builder.
 */
export function pipelineYaml(name: string): string {
  return seedPipelineYaml({
    name,
    stages: {
      preview: {},
      production: {
        with: ['approval: { approvers: [alice, "group:release-managers"], minApprovals: 1 }'],
        steps: ['setWeight: 20', 'pause: {}', 'setWeight: 60'],
      },
    },
  });
}

/**
 * What a CLI test runs against: the real dev server, a test worker with these activities, and a
 * pipelines directory of its own; `run` is `ramp <args>` with exactly the test's environment.
 */
export interface CliStack {
  env: TestWorkflowEnvironment;
  /** The CLI's environment: Temporal, the worker's task queue, the pipelines directory, RAMP_USER=rm. */
  vars: Record<string, string>;
  dir: string;
  run(args: string[]): Promise<RampRun>;
  /** Writes `yaml(name)` as a new pipeline named `<prefix>-<random>`; returns the name. */
  pipeline(prefix: string, yaml?: (name: string) => string): Promise<string>;
  stop(): Promise<void>;
}

export async function startCliStack(
  activities: RampActivities,
  /** `env`: the environment the activities' client already uses (else a new one; standalone, that is a dev server of its own). */
  options: { pollMs?: number; updateTimeoutMs?: number; env?: TestWorkflowEnvironment } = {},
): Promise<CliStack> {
  const env = options.env ?? (await getTestEnv());
  const { worker, taskQueue } = await createTestWorker(env, { activities });
  const running = worker.run();
  const dir = await mkdtemp(join(tmpdir(), 'ramp-cli-'));
  const vars = {
    TEMPORAL_ADDRESS: env.address,
    RAMP_TASK_QUEUE: taskQueue,
    RAMP_PIPELINES_DIR: dir,
    RAMP_USER: 'rm',
    RAMP_POLL_MS: String(options.pollMs ?? 100),
    RAMP_UPDATE_TIMEOUT_MS: String(options.updateTimeoutMs ?? 10_000),
  };
  return {
    env,
    vars,
    dir,
    run: (args) => ramp(args, vars, dir),
    async pipeline(prefix, yaml = pipelineYaml) {
      const name = uniqueName(prefix);
      await writeFile(join(dir, `${name}.yaml`), yaml(name));
      return name;
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await env.teardown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
