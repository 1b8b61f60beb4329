// The test workers' workflow bundle entry: every production workflow, plus the smoke workflow
// that only tests use. (`export *` is safe here: tsc rejects two modules exporting one name.)
export * from '../../../workflows/index.js';
export { smokeWorkflow } from './workflow.js';
export { observeWorkflow } from './observe.js';
