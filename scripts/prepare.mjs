// npm's `prepare`: `npm install` in a checkout, and `npm pack` / `npm publish` before packing.
// It builds dist/ (`npm run build`). A package must contain the build, so a failed build fails
// `npm pack` and `npm publish`; in a development checkout `npm install` goes on without one and
// bin/ramp.js runs the TypeScript sources through tsx until a build succeeds. In an installed
// package (this file ships in it, package.json "files") there is nothing to build: dist/ is there.
// The build's progress goes to stderr: `npm pack --json` prints its JSON on stdout.
// Plain JavaScript: it runs before anything is built and without tsx's loader.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('./build.ts', import.meta.url))) process.exit(0);

const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: ['inherit', 2, 'inherit'] })
  : spawnSync('npm', ['run', 'build'], { stdio: ['inherit', 2, 'inherit'], shell: process.platform === 'win32' });
if (result.status !== 0) {
  if (packing) {
    console.error(
      `ramp: npm run build failed (above), so npm ${process.env.npm_command} stops: a package without dist/ cannot run. Fix the build and pack again.`,
    );
    process.exit(1);
  }
  console.error('ramp: npm run build failed (above); npx ramp runs the TypeScript sources through tsx until a build succeeds');
}
