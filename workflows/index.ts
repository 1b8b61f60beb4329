// The workflow bundle's entry point: every workflow the worker runs is exported here, by name
// (no `export *`: duplicate names would be dropped silently). Test-only workflows live in
// test/support/smoke/ and reach only test workers.
export { analysisWorkflow } from './analysis.js';
export { auditReadWorkflow, auditVerifyWorkflow } from './audit-read.js';
export { driftWorkflow } from './drift.js';
export { freezeWorkflow } from './freeze.js';
export { guardWorkflow } from './guard.js';
export { historyWorkflow } from './history.js';
export { doraWorkflow } from './dora.js';
export { notificationWorkflow } from './notification.js';
export { promotionWorkflow } from './promotion.js';
export { stageWorkflow } from './stage.js';
