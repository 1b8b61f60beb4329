/**
 * Every traffic router, keyed by the `trafficRouting` kind it handles. Adding a kind to the
 * schema without a router here is a type error; a kind with a `file` needs a FileTrafficRouter,
 * any other a FieldTrafficRouter (traffic-router.ts).
 */
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import { gatewayApiRouter } from './gateway-api.js';
import { istioRouter } from './istio.js';
import { replicaRatioRouter } from './replica-ratio.js';
import { smiRouter } from './smi.js';
import type { FieldRoutingSpec, FieldTrafficRouter, FileRoutingSpec, FileTrafficRouter, LiveWeightReader, TrafficRouterFor } from './traffic-router.js';

export type TrafficRouters = { [K in TrafficRoutingSpec['kind']]: TrafficRouterFor<Extract<TrafficRoutingSpec, { kind: K }>> };

export const TRAFFIC_ROUTERS: TrafficRouters = {
  gatewayAPI: gatewayApiRouter,
  istio: istioRouter,
  smi: smiRouter,
  replicaRatio: replicaRatioRouter,
};

export function trafficRouterFor(routing: FileRoutingSpec, routers: TrafficRouters = TRAFFIC_ROUTERS): FileTrafficRouter {
  return routers[routing.kind];
}

export function fieldRouterFor(routing: FieldRoutingSpec, routers: TrafficRouters = TRAFFIC_ROUTERS): FieldTrafficRouter {
  return routers[routing.kind];
}

export function liveReaderFor(routing: TrafficRoutingSpec, routers: TrafficRouters = TRAFFIC_ROUTERS): LiveWeightReader {
  return routers[routing.kind].live;
}
