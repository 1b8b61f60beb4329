// The workflow bundle's entry point: every workflow the worker runs is exported here, by name
// (no `export *`: duplicate names would be dropped silently).
export { analysisWorkflow } from './analysis.js';
export { driftWorkflow } from './drift.js';
export { historyWorkflow } from './history.js';
export { promotionWorkflow } from './promotion.js';
export { smokeWorkflow } from './smoke.js';
export { stageWorkflow } from './stage.js';
