// The Dockerfile, read as instructions: no Docker engine runs here, so the image itself is not
// built in the tests. These checks hold the properties docs/deploy.md promises: two stages, the
// runtime one with production dependencies and dist/ only, a non-root USER before CMD, a CMD
// that runs compiled JavaScript, a HEALTHCHECK on the worker's /readyz, the ports exposed, and
// a build stage that copies every source directory the compiled code imports.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isNodeLtsMajor, NODE_LTS } from '../../scripts/lib/node-lts.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with continuations joined and comments dropped, grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return; // a comment inside a continuation
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const [keyword = '', ...rest] = full.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine };
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      assert.ok(match, `FROM at line ${startLine}: ${instruction.args}`);
      stages.push({ from: match[1]!, ...(match[2] ? { name: match[2] } : {}), instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${instruction.keyword} at line ${startLine} comes before any FROM`);
      stages.at(-1)!.instructions.push(instruction);
    }
  });
  return stages;
}

const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build');
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const indexOf = (stage: Stage, keyword: string) => stage.instructions.findLastIndex((i) => i.keyword === keyword);

/** The exec form's words: `["node", "dist/x.js"]`. */
const execForm = (args: string): string[] => {
  const words = JSON.parse(args) as unknown;
  assert.ok(Array.isArray(words) && words.every((w) => typeof w === 'string'), `exec form (JSON array) expected: ${args}`);
  return words;
};

/** The top-level directories the TypeScript under `dir` imports by relative path. */
function importedTopDirs(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.\.?\/[^']+)'/g)) {
      const target = path.relative(ROOT, path.resolve(path.dirname(file), match[1]!));
      found.add(target.split(path.sep)[0]!);
    }
  }
  return found;
}

describe('Dockerfile', () => {
  test('has a build stage and a separate runtime stage', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    assert.ok(build, 'a stage named build');
    assert.notEqual(runtime, build, 'the final stage is not the build stage');
    assert.ok(
      of(build, 'RUN').some((i) => /\bnpm run build\b/.test(i.args)),
      'the build stage runs npm run build',
    );
  });

  test('the runtime stage installs production dependencies only and copies dist/ from the build', () => {
    const installs = of(runtime, 'RUN').filter((i) => /\bnpm (ci|install|i)\b/.test(i.args));
    assert.ok(installs.length > 0, 'the runtime stage installs its dependencies');
    for (const install of installs) assert.match(install.args, /--omit=dev\b/, `line ${install.line}: production dependencies only`);
    const copies = of(runtime, 'COPY');
    assert.ok(
      copies.some((c) => /^--from=build\s+\/app\/dist\s+/.test(c.args)),
      'dist/ comes from the build stage',
    );
    for (const copy of copies.filter((c) => !c.args.startsWith('--from='))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        assert.ok(
          !/^(src|cli|server|worker|workflows|activities|ui|dev|scripts|test)\b/.test(source),
          `line ${copy.line}: no TypeScript sources in the runtime image (${source})`,
        );
      }
    }
    assert.ok(!of(runtime, 'RUN').some((i) => /\btsx\b|npm run build/.test(i.args)), 'no tsx and no build at run time');
  });

  test('every stage runs on a Node.js LTS line the tests run on (npm run test:node)', () => {
    for (const stage of stages) {
      const major = /^node:(\d+)[.-]/.exec(stage.from)?.[1];
      assert.ok(major && isNodeLtsMajor(major), `${stage.name ?? 'a stage'} is FROM ${stage.from}: use node:<${Object.keys(NODE_LTS).join('|')}>-…`);
    }
    assert.equal(build!.from, runtime.from, 'built and run on the same Node');
  });

  test('runs as a non-root user, set before CMD and after the last RUN', () => {
    const users = of(runtime, 'USER');
    assert.ok(users.length > 0, 'a USER in the runtime stage');
    const user = users.at(-1)!.args.split(':')[0]!;
    assert.ok(!['root', '0'].includes(user), `USER ${user} is not root`);
    assert.match(user, /^[1-9][0-9]*$/, 'a numeric uid, so that Kubernetes can check runAsNonRoot');
    assert.ok(indexOf(runtime, 'USER') < indexOf(runtime, 'CMD'), 'USER before CMD');
    assert.ok(indexOf(runtime, 'USER') > indexOf(runtime, 'RUN'), 'nothing runs as root after USER');
  });

  test('CMD runs the compiled worker with node, no wrapper', () => {
    const cmd = of(runtime, 'CMD');
    assert.equal(cmd.length, 1);
    const words = execForm(cmd[0]!.args);
    assert.equal(words[0], 'node');
    assert.match(words[1] ?? '', /^dist\/.+\.js$/);
    assert.ok(existsSync(path.join(ROOT, words[1]!.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${words[1]} is compiled from a source in the repository`);
    assert.equal(of(runtime, 'ENTRYPOINT').length, 0, 'no ENTRYPOINT in front of the worker');
  });

  test("HEALTHCHECK asks the worker's /readyz on RAMP_WORKER_HEALTH_ADDR's port", () => {
    const checks = of(runtime, 'HEALTHCHECK');
    assert.equal(checks.length, 1);
    const env = of(runtime, 'ENV')
      .map((i) => i.args)
      .join(' ');
    const port = /RAMP_WORKER_HEALTH_ADDR=0\.0\.0\.0:(\d+)/.exec(env)?.[1];
    assert.ok(port, 'the image sets RAMP_WORKER_HEALTH_ADDR on all interfaces');
    assert.match(checks[0]!.args, new RegExp(`127\\.0\\.0\\.1:${port}/readyz`));
    assert.match(checks[0]!.args, /CMD \[/, 'exec form');
    const exposed = of(runtime, 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    for (const wanted of ['9464', port, '8480']) assert.ok(exposed.includes(wanted), `EXPOSE ${wanted}`);
  });

  test('the build stage copies every directory the compiled code imports, and each exists', () => {
    const copied = new Set(
      of(build!, 'COPY')
        .filter((c) => !c.args.startsWith('--'))
        .flatMap((c) => c.args.split(/\s+/).slice(0, -1))
        .map((source) => source.split('/')[0]!),
    );
    for (const dir of copied) assert.ok(existsSync(path.join(ROOT, dir)), `COPY ${dir}: it exists in the repository`);
    const include = (JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
    for (const dir of include) {
      assert.ok(copied.has(dir), `${dir} (tsconfig.build.json) is copied`);
      for (const imported of importedTopDirs(dir)) {
        if (imported === 'node_modules' || imported.endsWith('.json')) continue;
        assert.ok(copied.has(imported), `${dir}/ imports from ${imported}/, which the build stage does not copy`);
      }
    }
  });

  test('.dockerignore keeps node_modules and dist/ out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(/\/$/, ''));
    for (const entry of ['node_modules', 'dist', '.git']) assert.ok(ignored.includes(entry), `.dockerignore has ${entry}`);
  });
});
