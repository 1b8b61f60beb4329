/**
 * The example GitOps layout (examples/gitops) for a test cluster: a copy whose kustomizations
 * put each stage in a namespace of the test's own.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SEED_DIR } from '../harness/git.js';
import type { KubeTestEnv } from '../harness/kube.js';

export const STAGES = ['preview', 'staging', 'production'] as const;
export type StageName = (typeof STAGES)[number];

/** Namespaces for the three stages, and a seed directory that uses them. Remove `dir` after. */
export async function kubeSeed(kube: KubeTestEnv, prefix: string): Promise<{ dir: string; namespaces: Record<StageName, string> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-kube-seed-'));
  await cp(SEED_DIR, dir, { recursive: true });
  const namespaces = {} as Record<StageName, string>;
  for (const stage of STAGES) {
    namespaces[stage] = await kube.namespace(`${prefix}-${stage}`);
    const file = path.join(dir, 'envs', stage, 'kustomization.yaml');
    const text = await readFile(file, 'utf8');
    if (!new RegExp(`^namespace: ${stage}$`, 'm').test(text)) throw new Error(`${file} no longer says namespace: ${stage}`);
    await writeFile(file, text.replace(new RegExp(`^namespace: ${stage}$`, 'm'), `namespace: ${namespaces[stage]}`));
  }
  return { dir, namespaces };
}
