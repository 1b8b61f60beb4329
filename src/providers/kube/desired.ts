/** The desired state of a stage at a commit: the repository's files then, rendered, each object in its namespace. */
import type { GitOpsRepository } from '../git/gitops-repository.js';
import type { KubeCluster } from './cluster.js';
import type { DesiredObject } from './objects.js';
import { renderStage } from './render.js';

export interface DesiredState {
  /** The commit (the branch's head when none was asked for). */
  sha: string;
  /** The repository's files at `sha`. */
  dir: string;
  objects: DesiredObject[];
}

export async function desiredState(
  deps: { repository: GitOpsRepository; cluster: KubeCluster; kustomize?: string | undefined },
  stagePath: string,
  namespace: string,
  sha: string | null,
): Promise<DesiredState> {
  const snapshot = await deps.repository.snapshot(sha);
  const rendered = await renderStage(snapshot.dir, stagePath, { kustomize: deps.kustomize });
  const objects: DesiredObject[] = [];
  for (const d of rendered) objects.push({ ...d, object: await deps.cluster.withNamespace(d.object, namespace) });
  return { sha: snapshot.sha, dir: snapshot.dir, objects };
}
