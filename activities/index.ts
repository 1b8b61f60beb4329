// All activities the worker registers. Workflows import this module (and contract.ts) as types only.
export { createActivities, type ActivityDeps } from './create.js';
export type { Notification, RampActivities } from './contract.js';
export type { NotificationActivities } from './notify-contract.js';
export { createGitActivities, type GitActivities } from './git.js';
export { createDoraActivities, type DeliveryQuery } from './dora.js';
