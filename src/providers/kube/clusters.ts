/** The worker's clusters: one KubeCluster per kubeconfig context, made on first use. */
import { KubeCluster } from './cluster.js';

export class KubeClusters {
  readonly #clusters = new Map<string, KubeCluster>();

  constructor(
    /** RAMP_KUBECONFIG; default: KUBECONFIG, ~/.kube/config, or in-cluster. */
    readonly kubeconfig?: string,
  ) {}

  get(context: string | null): KubeCluster {
    const key = context ?? '';
    let cluster = this.#clusters.get(key);
    if (!cluster) {
      cluster = new KubeCluster({ kubeconfig: this.kubeconfig, context });
      this.#clusters.set(key, cluster);
    }
    return cluster;
  }
}
