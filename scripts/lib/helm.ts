/**
 * Helm for the chart's tests (test/kube/helm-chart.test.ts) and for `helm template` by hand:
 * `HELM_BIN` → `helm` on PATH → `~/.cache/ramp/helm-v3.22.0/helm`, built there from Go modules
 * on first use (`go install helm.sh/helm/v3/cmd/helm@v3.22.0`, niced; ~8 min cold on 2 busy
 * cores, then cached). No download from get.helm.sh.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath, isExecutable, runChecked } from './proc.js';
import { CACHE_DIR } from './tools.js';

export const HELM_VERSION = 'v3.22.0';
export const HELM_DIR = path.join(CACHE_DIR, `helm-${HELM_VERSION}`);

/** The helm binary to run, built from Go modules into the cache when there is none. */
export async function ensureHelm(log: (line: string) => void = () => {}): Promise<string> {
  if (process.env.HELM_BIN) {
    if (!(await isExecutable(process.env.HELM_BIN)))
      throw new Error(`HELM_BIN=${process.env.HELM_BIN} is not an executable file; unset it or point it at helm 3`);
    return process.env.HELM_BIN;
  }
  const onPath = await findOnPath('helm');
  if (onPath) return onPath;
  const cached = path.join(HELM_DIR, 'helm');
  if (await isExecutable(cached)) return cached;
  const go = await findOnPath('go');
  if (!go) throw new Error(`no helm: set HELM_BIN, put helm 3 on PATH, or install Go ≥ 1.25 so that ${HELM_DIR}/helm can be built from Go modules`);
  log(`building helm ${HELM_VERSION} from Go modules into ${HELM_DIR} (minutes, once)`);
  await mkdir(HELM_DIR, { recursive: true });
  await runChecked('nice', ['-n', '19', go, 'install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    env: { ...process.env, GOBIN: HELM_DIR, CGO_ENABLED: '0' },
    timeoutMs: 60 * 60_000,
  });
  if (!(await isExecutable(cached))) throw new Error(`go install helm ${HELM_VERSION} did not produce ${cached}`);
  return cached;
}
