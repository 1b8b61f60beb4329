// The workflow bundle's entry point: every workflow the worker runs is exported here, by name
// (no `export *`: duplicate names would be dropped silently).
export { smokeWorkflow } from './smoke.js';
