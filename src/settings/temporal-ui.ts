/**
 * Links into Temporal's own Web UI (RAMP_TEMPORAL_UI_URL; docs/ui.md): from a release to the
 * workflows behind it. The UI's routes are `<base>/namespaces/<ns>/workflows/<id>[/<runId>]`
 * for one workflow (without a run id: its latest run) and `<base>/namespaces/<ns>/workflows?query=…`
 * for a visibility query. Pure: strings in, a URL out.
 */

/** Where the Temporal UI is, and the namespace ramp's workflows run in. */
export interface TemporalUi {
  /** RAMP_TEMPORAL_UI_URL, or the dev stack's UI. */
  url: string;
  namespace: string;
}

/** The base URL without its trailing slashes. */
function trimmed(base: string): string {
  return base.trim().replace(/\/+$/, '');
}

/** One workflow in the Temporal UI: its latest run, or `runId`'s. */
export function temporalUiWorkflowUrl(base: string, namespace: string, workflowId: string, runId?: string): string {
  const workflow = `${trimmed(base)}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${workflow}/${encodeURIComponent(runId)}` : workflow;
}

/** The Temporal UI's list of workflows that a visibility query selects. */
export function temporalUiQueryUrl(base: string, namespace: string, query: string): string {
  return `${trimmed(base)}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** A visibility string literal: double-quoted, `\` and `"` escaped. */
function literal(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The runs of one stage workflow that belong to one promotion. A stage's workflow id names its
 * environment (`web/staging`) and is reused by every promotion, so its latest run may be a later
 * promotion's: its runs for this promotion are the ones whose RampPromotion says so.
 */
export function stageRunsQuery(stageWorkflowId: string, promotionId: string): string {
  return `WorkflowId = ${literal(stageWorkflowId)} AND RampPromotion = ${literal(promotionId)}`;
}

/** The promotion's own workflow in the Temporal UI. */
export function promotionLink(ui: TemporalUi, promotionId: string): string {
  return temporalUiWorkflowUrl(ui.url, ui.namespace, promotionId);
}

/** A stage's runs for this promotion in the Temporal UI. */
export function stageLink(ui: TemporalUi, stageWorkflowId: string, promotionId: string): string {
  return temporalUiQueryUrl(ui.url, ui.namespace, stageRunsQuery(stageWorkflowId, promotionId));
}
