/**
 * A traffic router writes the canary's share of traffic into the manifests that route it, and
 * reads it back from Kubernetes objects. One implementation per `trafficRouting` kind
 * (src/schema/strategy.ts), listed in registry.ts. Routers edit text surgically
 * (src/manifests/yaml-edit.ts): only the weight values change.
 *
 * Two ways of writing a weight:
 * - a FileTrafficRouter edits the weights inside one routing object of one file (an HTTPRoute,
 *   a VirtualService, a TrafficSplit): routings with a `file`;
 * - a FieldTrafficRouter turns the weight into plain field values across files (replicaRatio:
 *   the replica counts of two workloads), which the file planner applies like any field edit.
 */
import type { FieldEdit } from '../../manifests/yaml-edit.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import type { KubeObject, LiveWeight, ObjectRef } from './kube-object.js';

/** Routings whose weights live in one routing object of one file: gatewayAPI, istio, smi. */
export type FileRoutingSpec = Extract<TrafficRoutingSpec, { file: string }>;
/** Routings written as plain field values across files: replicaRatio. */
export type FieldRoutingSpec = Exclude<TrafficRoutingSpec, { file: string }>;

/** Reads the weight a routing holds from plain Kubernetes objects (pure). */
export interface LiveWeightReader<R extends TrafficRoutingSpec = TrafficRoutingSpec> {
  /**
   * The objects that hold the weight, found among `desired` (the objects rendered from the
   * stage's manifests, each with its `source` file). A caller GETs these from the API server.
   * Throws LiveWeightError when the objects do not hold exactly what `routing` names.
   */
  objects(routing: R, desired: readonly KubeObject[]): ObjectRef[];
  /**
   * The weight held by the objects `refs` names (as `objects` returned them), found among
   * `objects`: the desired objects, or the ones read from the cluster. Throws LiveWeightError.
   */
  read(routing: R, objects: readonly KubeObject[], refs: readonly ObjectRef[]): LiveWeight;
}

export interface FileTrafficRouter<R extends FileRoutingSpec = FileRoutingSpec> {
  readonly kind: R['kind'];
  /**
   * Returns `source` (the content of `file`, the routing file) with the canary at `weight`
   * percent and the stable version at `100 - weight`. Throws ManifestEditError naming the file,
   * the route and the backend when the manifest does not have what `routing` names.
   */
  setWeight(source: string, routing: R, weight: number, file: string): string;
  readonly live: LiveWeightReader<R>;
}

/** One field edit in one file; `file` is relative to the stage path, as the pipeline names it. */
export interface RoutedFieldEdit {
  file: string;
  field: FieldEdit;
  /** Names the field in error messages. */
  what: string;
}

export interface FieldTrafficRouter<R extends FieldRoutingSpec = FieldRoutingSpec> {
  readonly kind: R['kind'];
  /** The field edits that put the canary at `weight` percent. Throws ManifestEditError. */
  fieldEdits(routing: R, weight: number): RoutedFieldEdit[];
  readonly live: LiveWeightReader<R>;
}

/** The router a routing kind needs: file routings get a FileTrafficRouter, the rest a FieldTrafficRouter. */
export type TrafficRouterFor<R extends TrafficRoutingSpec> = R extends FileRoutingSpec
  ? FileTrafficRouter<R>
  : R extends FieldRoutingSpec
    ? FieldTrafficRouter<R>
    : never;

export type TrafficRouter = FileTrafficRouter | FieldTrafficRouter;
