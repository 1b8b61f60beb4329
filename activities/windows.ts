/**
 * Deploy windows as an activity (docs/governance.md#deploy-windows): time-zone rules run here, never in
 * workflow code, and the answer is recorded in history. The stage's own windows, the
 * organisation's (RAMP_WINDOWS_FILE, read at each call so that an edit applies without a
 * restart) and the organisation's freeze (the `ramp-freeze` workflow) decide together.
 */
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { WindowState } from '../src/domain/deploy-window.js';
import type { FreezeState } from '../src/domain/freeze.js';
import { windowState } from '../src/governance/window-edges.js';
import { parseWindowsFile, windowsFor } from '../src/governance/window-file.js';
import type { WindowsSpec } from '../src/schema/windows.js';

export interface WindowRequest {
  pipeline: string;
  stage: string;
  /** The stage's pinned windows block (null: none of its own). */
  windows: WindowsSpec | null;
  /** ISO-8601: the instant to answer for (workflow time). */
  at: string;
}

export interface WindowDeps {
  /** RAMP_WINDOWS_FILE; unset: no organisation windows. */
  windowsFile?: string | undefined;
  /** The organisation's freeze, or null when there is none (activities/freeze.ts). */
  readFreeze: () => Promise<FreezeState | null>;
}

export function createWindowActivities({ windowsFile, readFreeze }: WindowDeps) {
  return {
    /** Whether the stage may write at `at`, why, and when that changes. */
    async deployWindow(request: WindowRequest): Promise<WindowState> {
      let organisation = null;
      if (windowsFile) {
        let text: string;
        try {
          text = await readFile(windowsFile, 'utf8');
        } catch (error) {
          throw ApplicationFailure.nonRetryable(
            `cannot read the windows file ${windowsFile}: ${(error as Error).message}. Fix RAMP_WINDOWS_FILE on the worker`,
            'WorkerConfig',
          );
        }
        try {
          organisation = parseWindowsFile(text, windowsFile);
        } catch (error) {
          throw ApplicationFailure.nonRetryable((error as Error).message, 'WorkerConfig');
        }
      }
      const windows = windowsFor(request.pipeline, request.stage, request.windows, organisation);
      const freeze = await readFreeze();
      return windowState(windows, freeze, Date.parse(request.at), request.windows?.timeZone ?? 'UTC');
    },
  };
}
