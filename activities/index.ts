// All activities the worker registers. Workflows import this module as types only.
export { createSmokeActivities, type SmokeActivities, type SmokeGreeting } from './smoke.js';
export { createGitActivities, type GitActivities } from './git.js';
