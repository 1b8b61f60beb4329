/**
 * The architecture is enforced by eslint.config.mjs, not by good intentions: these probes are
 * linted as if they lived in workflows/, src/domain/ and cli/, and must be refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const cwd = fileURLToPath(new URL('../../', import.meta.url));
const architectureRules = new Set(['no-restricted-imports', 'import-x/no-restricted-paths']);
const eslint = new ESLint({
  cwd,
  // Only the import rules: they need no type information, so the probes need not exist on disk.
  ruleFilter: ({ ruleId }) => architectureRules.has(ruleId),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${cwd}${file}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message.split('.')[0]}`);
}

describe('architecture lint rules', () => {
  const refused: [string, string, string][] = [
    ['workflows/probe.ts', "import { readFile } from 'node:fs';", 'no-restricted-imports'],
    ['workflows/probe.ts', "import fs from 'fs';", 'no-restricted-imports'],
    ['workflows/probe.ts', "import { simpleGit } from 'simple-git';", 'no-restricted-imports'],
    ['workflows/probe.ts', "import { createSmokeActivities } from '../activities/index.js';", 'no-restricted-imports'],
    ['src/domain/probe.ts', "import axios from 'axios';", 'no-restricted-imports'],
    ['src/domain/probe.ts', "import { PipelineInputSchema } from '../schema/pipeline.js';", 'no-restricted-imports'],
    ['src/domain/probe.ts', "import { editYaml } from '../manifests/yaml-edit.js';", 'import-x/no-restricted-paths'],
    ['cli/probe.ts', "import { createSmokeActivities } from '../activities/index.js';", 'import-x/no-restricted-paths'],
  ];
  for (const [file, code, rule] of refused) {
    test(`${file}: refuses ${code}`, async () => {
      const found = await violations(file, `${code}\nexport {};\n`);
      assert.ok(
        found.some((v) => v.startsWith(`${rule}:`)),
        `expected ${rule}, got ${JSON.stringify(found)}`,
      );
    });
  }

  const allowed: [string, string][] = [
    ['workflows/probe.ts', "import type { SmokeActivities } from '../activities/index.js';"],
    ['workflows/probe.ts', "import { proxyActivities } from '@temporalio/workflow';"],
    ['workflows/probe.ts', "import type { PipelineSpec } from '../src/schema/pipeline.js';"],
    ['workflows/probe.ts', "import { parseDuration } from '../src/domain/duration.js';"],
    ['activities/probe.ts', "import { simpleGit } from 'simple-git';"],
    ['src/domain/probe.ts', "import type { PipelineSpec } from '../schema/pipeline.js';"],
  ];
  for (const [file, code] of allowed) {
    test(`${file}: allows ${code}`, async () => assert.deepEqual(await violations(file, `${code}\nexport {};\n`), []));
  }
});
