/** Running `ramp` in-process for tests, and the CLI tests' pipeline (built by test/support/pipelines.ts). */
import { main } from '../../cli/main.js';
import type { CommandIo } from '../../cli/command.js';
import type { ExitCode } from '../../cli/exit-codes.js';
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
