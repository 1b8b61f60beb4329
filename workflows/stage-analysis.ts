/**
 * The stage's analyses (Argo's AnalysisRuns, each a child workflow: analysis.ts) and what the
 * stage does with a verdict: Successful passes; Failed or Error fails the stage (rollback);
 * Inconclusive waits for a person entitled to override it (`resume`, recorded as an override,
 * never as a pass) or an abort. A canary's background analysis runs across its steps until
 * full promotion, and a bad verdict cuts any wait short.
 */
import { condition, executeChild, startChild, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import { resolveAnalysis, type AnalysisRefSpec } from '../src/domain/analysis-ref.js';
import { AnalysisPhase } from '../src/domain/analysis/phases.js';
import { FailureReason, PauseReason, StagePhase } from '../src/domain/phases.js';
import { routingLabels } from '../src/domain/stage-writes.js';
import { analysisWorkflow } from './analysis.js';
import { terminateAnalysisSignal, type AnalysisInput, type AnalysisResult } from './analysis-messages.js';
import type { StageStatus } from './messages.js';
import type { StageApprovals } from './stage-approval.js';
import type { CurrentStageInput } from './stage-input.js';
import { describeFailure, now, StageStop, type StageRecord } from './stage-record.js';

/** How an analysis ended for the stage: passed, or a person overrode an Inconclusive verdict. */
export const Verdict = { Passed: 'Passed', Overridden: 'Overridden' } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** The canary's background analysis: its child workflow and, once it ends, its result. */
interface Background {
  label: string;
  handle: ChildWorkflowHandle<typeof analysisWorkflow>;
  result: AnalysisResult | null;
  /** Whether the stage has acted on the result. */
  judged: boolean;
}

export class StageAnalysis {
  private background: Background | null = null;

  constructor(
    private readonly record: StageRecord,
    private readonly approvals: StageApprovals,
  ) {}

  private get status(): StageStatus {
    return this.record.status;
  }

  private get input(): CurrentStageInput {
    return this.record.input;
  }

  private get requests() {
    return this.record.requests;
  }

  /** Whether a background analysis was started. */
  get hasBackground(): boolean {
    return this.background !== null;
  }

  /** Whether a background analysis is still running: a child this run awaits. */
  get backgroundRunning(): boolean {
    return this.background !== null && this.background.result === null;
  }

  /**
   * Runs an analysis as a child workflow and acts on its verdict: Successful continues; Failed
   * or Error fails the stage (rollback); Inconclusive pauses for a human — `resume` continues,
   * `abort` rolls back.
   */
  async run(ref: AnalysisRefSpec, where: string): Promise<Verdict> {
    const { label, input } = this.prepareAnalysis(ref, where);
    const result = await executeChild(analysisWorkflow, { workflowId: this.analysisWorkflowId(where), args: [input] });
    return this.verdict(label, result);
  }

  private prepareAnalysis(ref: AnalysisRefSpec, where: string): { label: string; input: AnalysisInput } {
    const { pipeline, stage, version, image } = this.input;
    const routing = stage.strategy.kind === 'canary' ? stage.strategy.trafficRouting : undefined;
    const labels = routingLabels(routing);
    const resolved = resolveAnalysis(ref, this.input.analysisTemplates, { pipeline, stage: stage.name, version, image, ...labels });
    if (resolved.missing.length > 0)
      throw new StageStop(FailureReason.AnalysisFailed, `analysis templates ${resolved.missing.join(', ')} are not in the pipeline`);
    const label = `${where}: analysis ${ref.templates.join(', ')}`;
    this.record.event(
      'analysis-started',
      `${label} (${resolved.metrics.length} metric(s)${resolved.judges.length > 0 ? `, ${resolved.judges.length} judge(s)` : ''})`,
    );
    return { label, input: { label, metrics: resolved.metrics, judges: resolved.judges, args: resolved.args } };
  }

  private analysisWorkflowId(where: string): string {
    return `${workflowInfo().workflowId}/${this.input.attempt}/${where.replaceAll(' ', '-')}`;
  }

  /**
   * Acts on an analysis result: Successful passes; Inconclusive waits for a person entitled to
   * override it (`resume`, recorded as an override, never as a pass) or an abort; else fails.
   */
  private async verdict(label: string, result: AnalysisResult): Promise<Verdict> {
    (this.status.analyses ??= []).push(result);
    const verdict = `${label}: ${result.phase}${result.message ? ` — ${result.message}` : ''}`;
    this.record.event('analysis', verdict);
    if (result.phase === AnalysisPhase.Successful) return Verdict.Passed;
    if (result.phase === AnalysisPhase.Inconclusive) {
      const resumes = this.requests.resumes;
      const who = await this.approvals.overriders();
      this.record.inconclusive = verdict;
      this.record.setPhase(
        StagePhase.Paused,
        `${verdict}. ramp resume ${this.input.promotionId} overrides it and continues (${who === null ? 'anyone may' : `allowed: ${who.join(', ') || 'nobody'}`}); ramp abort rolls back`,
        PauseReason.InconclusiveAnalysis,
      );
      await this.approvals.notifyInconclusive(this.status.message);
      await condition(() => this.requests.resumes > resumes || this.requests.abort !== null);
      this.record.inconclusive = null;
      this.record.checkpointAbort();
      this.record.setPhase(StagePhase.Progressing, 'continuing after an overridden inconclusive analysis');
      return Verdict.Overridden;
    }
    // The failed verdict is where a rollback's reaction time starts.
    this.record.facts.failureDetected(result.finishedAt ?? now());
    throw new StageStop(FailureReason.AnalysisFailed, verdict);
  }

  /** Starts the canary's background analysis; it runs until full promotion or a verdict. */
  async startBackground(ref: AnalysisRefSpec): Promise<void> {
    const { label, input } = this.prepareAnalysis(ref, 'background');
    const handle = await startChild(analysisWorkflow, { workflowId: this.analysisWorkflowId('background'), args: [input] });
    const background: Background = { label, handle, result: null, judged: false };
    this.background = background;
    handle.result().then(
      (result) => {
        background.result = result;
      },
      (error: unknown) => {
        background.result = {
          label,
          phase: AnalysisPhase.Error,
          message: `the analysis workflow failed: ${describeFailure(error)}`,
          metrics: [],
          runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
          dryRunSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
          startedAt: now(),
          finishedAt: now(),
        };
      },
    );
  }

  /** Whether the background analysis ended badly and the stage has not acted on it yet (wakes pauses). */
  backgroundDecided(): boolean {
    const result = this.background?.result;
    return result !== null && result !== undefined && result.phase !== AnalysisPhase.Successful && !this.background!.judged;
  }

  /** Acts on the background analysis's verdict once it has one. */
  async checkBackground(): Promise<void> {
    const background = this.background;
    if (!background?.result || background.judged) return;
    background.judged = true;
    await this.verdict(background.label, background.result);
  }

  /** At full promotion: ends the background analysis (what violated no limit counts as passed) and acts on it. */
  async finishBackground(): Promise<void> {
    const background = this.background;
    if (!background) return;
    if (!background.result) {
      await background.handle.signal(terminateAnalysisSignal, 'the canary reached full promotion');
      await condition(() => background.result !== null);
    }
    await this.checkBackground();
  }
}
