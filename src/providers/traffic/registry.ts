/**
 * Every traffic router, keyed by the `trafficRouting` kind it handles. Adding a kind to the
 * schema without a router here is a type error.
 */
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import { gatewayApiRouter } from './gateway-api.js';
import type { TrafficRouter } from './traffic-router.js';

export type TrafficRouters = { [K in TrafficRoutingSpec['kind']]: TrafficRouter<Extract<TrafficRoutingSpec, { kind: K }>> };

export const TRAFFIC_ROUTERS: TrafficRouters = {
  gatewayAPI: gatewayApiRouter,
};

export function trafficRouterFor(routing: TrafficRoutingSpec, routers: TrafficRouters = TRAFFIC_ROUTERS): TrafficRouter {
  return routers[routing.kind];
}
