// Keeps a release of ramp's workflow code for the upgrade test, when the release is cut:
//
//   npx tsx test/upgrade/keep-release.ts v0.13.0 <commit or tag>
//
// writes test/upgrade/releases/<version>.json and <version>.workflows.js.gz from Git
// (previous-release.ts). Commit both; the upgrade test then runs promotions parked on it, on
// any checkout, shallow or not. Delete a kept release once no promotion of it can still run.
import { keepRelease } from './previous-release.js';

const [version, rev] = process.argv.slice(2);
if (!version || !rev) {
  console.error('usage: npx tsx test/upgrade/keep-release.ts <version, e.g. v0.13.0> <commit or tag>');
  process.exit(2);
}
const { file, bytes } = await keepRelease(version, rev);
console.log(`kept ${version} (${rev}): ${file}, ${(bytes / 1024).toFixed(0)} KiB`);
