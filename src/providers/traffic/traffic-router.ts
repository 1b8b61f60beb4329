/**
 * A traffic router writes the canary's share of traffic into the manifests that route it.
 * One implementation per `trafficRouting` kind (src/schema/strategy.ts), listed in registry.ts.
 * Routers edit text surgically (src/manifests/yaml-edit.ts): only the weight values change.
 */
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';

export interface TrafficRouter<R extends TrafficRoutingSpec = TrafficRoutingSpec> {
  readonly kind: R['kind'];
  /**
   * Returns `source` (the content of `file`, the routing file) with the canary at `weight`
   * percent and the stable version at `100 - weight`. Throws ManifestEditError naming the file,
   * the route and the backend when the manifest does not have what `routing` names.
   */
  setWeight(source: string, routing: R, weight: number, file: string): string;
}
