/**
 * The gauges that must survive a worker restart, derived from the workflows at scrape time
 * (docs/metrics.md): ramp_promotions_running, ramp_stages_running and ramp_canary_weight. The
 * running promotions and stages come from Temporal's visibility (their search attributes,
 * workflows/search-attributes.ts); each running stage's weight from its `stageStatus` query.
 *
 * Cheap and safe to scrape: the answer is cached for `ttlMs`; a scrape waits for a refresh at
 * most `scrapeWaitMs`, then serves the last values while the refresh goes on; at most
 * `maxWorkflows` are listed; queries run `concurrency` at a time, each with a deadline, and a
 * stage that does not answer is left out. A failure is logged (once until it works again) and
 * never reaches the scrape: the last values stay.
 */
import type { Client } from '@temporalio/client';
import { stageStatusQuery } from '../../workflows/messages.js';
import { RampKind, RampPhase, RampPipeline, RampStage } from '../../workflows/search-attributes.js';
import { rampMetric } from './registry.js';
import { visibilityGauges, type RunningWorkflow, type StageWeight, type VisibilityGaugeValues } from './visibility-gauges.js';

export interface VisibilityCollectorOptions {
  /** How long an answer is reused. @default 10000 */
  ttlMs?: number;
  /** The most running workflows listed per refresh. @default 500 */
  maxWorkflows?: number;
  /** Status queries at once. @default 8 */
  concurrency?: number;
  /** Deadline of the list call and of each status query. @default 3000 */
  callTimeoutMs?: number;
  /** The longest a scrape waits for a refresh before it serves the last values. @default 5000 */
  scrapeWaitMs?: number;
}

/** Running ramp workflows: promotions and stages (helpers are short reads, not deliveries). */
export const RUNNING_QUERY = 'ExecutionStatus = "Running" AND RampKind IN ("promotion", "stage")';

const EMPTY: VisibilityGaugeValues = { ramp_promotions_running: [], ramp_stages_running: [], ramp_canary_weight: [] };

export class VisibilityCollector {
  private last: VisibilityGaugeValues = EMPTY;
  private at = -Infinity;
  private refreshing: Promise<void> | null = null;
  private failing = false;
  private readonly ttlMs: number;
  private readonly maxWorkflows: number;
  private readonly concurrency: number;
  private readonly callTimeoutMs: number;
  private readonly scrapeWaitMs: number;

  constructor(
    private readonly client: () => Promise<Client>,
    private readonly log: (message: string) => void,
    options: VisibilityCollectorOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxWorkflows = options.maxWorkflows ?? 500;
    this.concurrency = options.concurrency ?? 8;
    this.callTimeoutMs = options.callTimeoutMs ?? 3_000;
    this.scrapeWaitMs = options.scrapeWaitMs ?? 5_000;
  }

  /** The gauges' values: cached, or refreshed (waiting at most scrapeWaitMs). Never throws. */
  async values(): Promise<VisibilityGaugeValues> {
    if (performance.now() - this.at < this.ttlMs) return this.last;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.scrapeWaitMs);
      timer.unref();
    });
    await Promise.race([this.refreshing, waited]);
    clearTimeout(timer);
    return this.last;
  }

  private async refresh(): Promise<void> {
    try {
      const client = await this.client();
      const running = await this.listRunning(client);
      const weights = await this.stageWeights(
        client,
        running.filter((w) => w.kind === 'stage'),
      );
      this.last = visibilityGauges(running, weights);
      this.at = performance.now();
      if (this.failing) this.log('ramp metrics: listing running workflows works again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.log(
          `ramp metrics: listing the running promotions from Temporal's visibility failed (${error instanceof Error ? error.message : String(error)}); ` +
            'ramp_promotions_running, ramp_stages_running and ramp_canary_weight keep their last values until it works again',
        );
      }
      this.failing = true;
    }
  }

  private async listRunning(client: Client): Promise<RunningWorkflow[]> {
    const running: RunningWorkflow[] = [];
    await client.withDeadline(Date.now() + this.callTimeoutMs * 2, async () => {
      for await (const execution of client.workflow.list({ query: RUNNING_QUERY, pageSize: Math.min(this.maxWorkflows, 1000) })) {
        const attributes = execution.typedSearchAttributes;
        running.push({
          workflowId: execution.workflowId,
          kind: attributes.get(RampKind),
          pipeline: attributes.get(RampPipeline),
          stage: attributes.get(RampStage),
          phase: attributes.get(RampPhase),
        });
        if (running.length >= this.maxWorkflows) break;
      }
    });
    return running;
  }

  /** Each stage's weight, by workflow id; stages that do not answer in time are left out. */
  private async stageWeights(client: Client, stages: RunningWorkflow[]): Promise<Map<string, StageWeight>> {
    const weights = new Map<string, StageWeight>();
    let next = 0;
    const work = async () => {
      while (next < stages.length) {
        const { workflowId } = stages[next++]!;
        try {
          const status = await client.withDeadline(Date.now() + this.callTimeoutMs, () => client.workflow.getHandle(workflowId).query(stageStatusQuery));
          weights.set(workflowId, { strategy: status.strategy, canaryWeight: status.canaryWeight });
        } catch {
          // No worker answered in time, or the stage ended meanwhile: no weight to show.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, stages.length) }, work));
    return weights;
  }
}

const installed: VisibilityCollector[] = [];
let hooked = false;

/**
 * Makes the visibility gauges ask `collector` at every scrape (the latest installed wins, e.g. a
 * worker and a server in one process: both see the same visibility). Returns the uninstall.
 */
export function installVisibilityCollector(collector: VisibilityCollector): () => void {
  installed.push(collector);
  if (!hooked) {
    hooked = true;
    for (const name of ['ramp_promotions_running', 'ramp_stages_running', 'ramp_canary_weight'] as const) {
      const gauge = rampMetric(name);
      // prom-client calls a metric's `collect` before each read (its constructor option, kept on the instance).
      Object.assign(gauge, {
        collect: async () => {
          const active = installed.at(-1);
          const values = active ? (await active.values())[name] : [];
          gauge.reset();
          for (const sample of values) gauge.set(sample.labels, sample.value);
        },
      });
    }
  }
  return () => {
    const at = installed.indexOf(collector);
    if (at >= 0) installed.splice(at, 1);
  };
}
