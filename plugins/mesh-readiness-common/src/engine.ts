/*
 * The rule engine: a snapshot in, a report out. Pure and synchronous.
 */
import { SnapshotIndex } from './kube/snapshotIndex';
import { annotationsOf } from './kube/objects';
import { Workload, WORKLOAD_KINDS } from './kube/workloads';
import { injectionOptOut } from './kube/injection';
import { DATA_PLANE_MODES, DataPlaneMode } from './kube/dataPlaneMode';
import { RULES } from './rules';
import { Rule, RuleOutcome } from './rules/rule';
import { blockingRules, isReady, levelOf, scoreOf } from './scoring';
import {
  ClusterSnapshot,
  EvaluateOptions,
  Finding,
  DataPlaneModes,
  Report,
  Waiver,
  WorkloadReport,
} from './types';
import {
  ISTIO_SUPPRESS_ANNOTATION,
  WAIVE_ANNOTATION,
  waiverExpired,
  WaiverSet,
  waiversFromAnnotations,
} from './waivers';

const SEVERITY_RANK = { info: 0, warning: 1, error: 2 } as const;

const ruleIdsByIstioCode = new Map<string, string[]>();
for (const rule of RULES) {
  if (!rule.istioAnalyzer) continue;
  const ids = ruleIdsByIstioCode.get(rule.istioAnalyzer.code) ?? [];
  ids.push(rule.id);
  ruleIdsByIstioCode.set(rule.istioAnalyzer.code, ids);
}

function runCheck(
  rule: Rule,
  workload: Workload,
  index: SnapshotIndex,
  optOut: string | undefined,
  mode?: DataPlaneMode,
): RuleOutcome {
  if (optOut && !rule.appliesWhenOptedOut) {
    return {
      status: 'skip',
      message: `The workload opts out of the mesh (${optOut}), so this rule does not apply.`,
      evidence: [],
    };
  }
  try {
    return rule.check(mode ? { workload, index, mode } : { workload, index });
  } catch (e) {
    // A rule bug or an input shape nobody foresaw must not sink the report.
    return {
      status: 'unknown',
      message: `The rule could not be evaluated: ${
        (e as Error)?.message ?? String(e)
      }`,
      evidence: [],
    };
  }
}

function findingOf(rule: Rule, outcome: RuleOutcome): Finding {
  // A rule may lower its severity for one finding (never raise it).
  const severity =
    outcome.severity &&
    SEVERITY_RANK[outcome.severity] < SEVERITY_RANK[rule.severity]
      ? outcome.severity
      : rule.severity;
  const status =
    outcome.status === 'fail' && severity !== 'error' ? 'warn' : outcome.status;
  return {
    ruleId: rule.id,
    status,
    severity,
    title: rule.title,
    message: outcome.message,
    evidence: outcome.evidence ?? [],
    remediation: rule.remediation,
    docsUrl: rule.docsUrl,
  };
}

/**
 * Marks findings that did not pass as waived. Passing and not-applicable
 * findings stay as they are: a waiver never hides a pass, and never shows
 * as one. A waiver that has expired by `now` waives nothing: the finding
 * keeps its status and carries the expired waiver, so it can say so; a
 * finding waived earlier (a stored report) whose waiver has since expired
 * counts again.
 *
 * @public
 */
export function waive(
  finding: Finding,
  waiver: Waiver | undefined,
  now: Date = new Date(),
): Finding {
  let current = finding;
  if (
    current.status === 'waived' &&
    current.waiver &&
    waiverExpired(current.waiver, now)
  ) {
    const { waiver: expired, waivedStatus, ...rest } = current;
    current = {
      ...rest,
      status: waivedStatus ?? 'unknown',
      expiredWaiver: expired,
    };
  }
  if (
    !waiver ||
    current.status === 'pass' ||
    current.status === 'skip' ||
    current.status === 'waived'
  ) {
    return current;
  }
  if (waiverExpired(waiver, now))
    return current.expiredWaiver
      ? current
      : { ...current, expiredWaiver: waiver };
  const { expiredWaiver: _replaced, ...rest } = current;
  return { ...rest, status: 'waived', waivedStatus: current.status, waiver };
}

/** Whether a stored finding's waiver has run out by `now`. */
function waiverRanOut(finding: Finding, now: Date): boolean {
  return (
    finding.status === 'waived' &&
    !!finding.waiver &&
    waiverExpired(finding.waiver, now)
  );
}

/**
 * Applies waivers (e.g. a catalog entity's) to an evaluated workload, judged
 * at `now`, and re-scores it. Waivers already applied whose day has since
 * come are lifted, so a stored report never keeps an expired waiver.
 *
 * @public
 */
export function applyWaivers(
  workload: WorkloadReport,
  waivers: Record<string, Waiver>,
  now: Date = new Date(),
): WorkloadReport {
  if (
    Object.keys(waivers).length === 0 &&
    !workload.findings.some(f => waiverRanOut(f, now))
  )
    return workload;
  return withScores({
    ...workload,
    findings: workload.findings.map(f => waive(f, waivers[f.ruleId], now)),
  });
}

/** A workload's readiness, level and score, from its findings. */
function scoresOf(
  findings: Finding[],
): Pick<WorkloadReport, 'ready' | 'level' | 'score'> {
  return {
    ready: isReady(findings),
    level: levelOf(findings),
    score: scoreOf(findings),
  };
}

function withScores(workload: WorkloadReport): WorkloadReport {
  return { ...workload, ...scoresOf(workload.findings) };
}

/** The built-in rules followed by the adopter's, joined once per list rather than per workload. */
const catalogues = new WeakMap<readonly Rule[], Rule[]>();

function catalogueOf(
  customRules: readonly Rule[] | undefined,
): readonly Rule[] {
  if (!customRules?.length) return RULES;
  let catalogue = catalogues.get(customRules);
  if (!catalogue) {
    catalogue = [...RULES, ...customRules];
    catalogues.set(customRules, catalogue);
  }
  return catalogue;
}

/** Whether annotations could hold a waiver: most hold none, and need no parsing. */
function mayWaive(annotations: Record<string, string>): boolean {
  return (
    annotations[WAIVE_ANNOTATION] !== undefined ||
    annotations[ISTIO_SUPPRESS_ANNOTATION] !== undefined
  );
}

/** Waivers on the workload object and on its pod template (the object's win), and the ones refused. */
function workloadWaivers(workload: Workload): WaiverSet {
  const ref = `${workload.kind} ${workload.namespace}/${workload.name}`;
  const template = waiversFromAnnotations(
    workload.template.annotations,
    `${ref} pod template`,
    ruleIdsByIstioCode,
  );
  const own = waiversFromAnnotations(
    annotationsOf(workload.object.metadata),
    ref,
    ruleIdsByIstioCode,
  );
  return {
    waivers: { ...template.waivers, ...own.waivers },
    errors: [...template.errors, ...own.errors],
  };
}

/** @public */
export function evaluateWorkload(
  workload: Workload,
  index: SnapshotIndex,
  options: EvaluateOptions = {},
): WorkloadReport {
  // No waiver anywhere (the usual case): skip parsing and merging them.
  const declared =
    mayWaive(workload.template.annotations) ||
    mayWaive(annotationsOf(workload.object.metadata))
      ? workloadWaivers(workload)
      : undefined;
  const waivers =
    options.waivers || declared
      ? { ...(options.waivers ?? {}), ...(declared?.waivers ?? {}) }
      : undefined;
  const now = options.now ?? new Date();
  const catalogue = catalogueOf(options.customRules);
  const rules = options.rules
    ? catalogue.filter(r => options.rules!.includes(r.id))
    : catalogue;
  const optOut = injectionOptOut(workload.template);
  const judge = (rule: Rule, mode?: DataPlaneMode) => {
    const finding = findingOf(
      rule,
      runCheck(rule, workload, index, optOut, mode),
    );
    return waivers ? waive(finding, waivers[rule.id], now) : finding;
  };
  const findings = rules.map(rule => judge(rule));
  const report: WorkloadReport = {
    cluster: index.snapshot.cluster,
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
    ...scoresOf(findings),
    findings,
  };
  if (options.modes !== false) {
    report.modes = modesOf(
      rules,
      findings,
      judge,
      options.exhaustiveModes === true,
    );
  }
  if (workload.unreadOwner) report.notice = unreadOwnerNotice(workload, index);
  if (declared?.errors.length) report.waiverErrors = declared.errors;
  return report;
}

/**
 * Readiness per data-plane mode: the findings of the rules that read the
 * mode judged again as if the workload ran that way, the others reused.
 * `exhaustive` judges every rule again (tests compare the two).
 */
function modesOf(
  rules: readonly Rule[],
  findings: Finding[],
  judge: (rule: Rule, mode: DataPlaneMode) => Finding,
  exhaustive: boolean,
): DataPlaneModes {
  const modes = {} as DataPlaneModes;
  for (const mode of DATA_PLANE_MODES) {
    const inMode = rules.map((rule, i) =>
      exhaustive || rule.readsDataPlaneMode ? judge(rule, mode) : findings[i],
    );
    const blocking = blockingRules(inMode);
    const messages: Record<string, string> = {};
    for (const f of inMode)
      if (blocking.includes(f.ruleId)) messages[f.ruleId] = f.message;
    modes[mode] = { ready: blocking.length === 0, blocking, messages };
  }
  return modes;
}

/** What a report of a workload known only by what it owns must say. */
function unreadOwnerNotice(workload: Workload, index: SnapshotIndex): string {
  const { kind, namespace, name, template } = workload;
  const unreadable = index.unreadable(kind, namespace);
  let why = 'is a kind mesh-readiness does not read';
  if (unreadable) why = `could not be read (${unreadable.reason})`;
  else if (WORKLOAD_KINDS.includes(kind))
    why = 'is not in the snapshot (deleted since it was read?)';
  const from =
    template.source === 'template'
      ? `the ${template.kind} ${template.name} it owns${
          workload.pods.length > 0 ? ' and its pods' : ''
        }`
      : 'the pods it owns';
  return `The ${kind} ${namespace}/${name} itself ${why}: these findings come from ${from}, and waivers annotated on the ${kind} are not seen.`;
}

/**
 * Evaluates every workload of the snapshot, keeping each workload (its
 * object and pod template) beside its report, for callers that need both.
 *
 * @public
 */
export function evaluateWorkloads(
  snapshot: ClusterSnapshot,
  options: EvaluateOptions = {},
): Array<{ workload: Workload; report: WorkloadReport }> {
  const index = new SnapshotIndex(snapshot);
  return index.workloads.map(workload => ({
    workload,
    report: evaluateWorkload(workload, index, options),
  }));
}

/**
 * Evaluates every workload of the snapshot against every rule: one finding
 * per workload per rule, in catalogue order.
 *
 * @public
 */
export function evaluate(
  snapshot: ClusterSnapshot,
  options: EvaluateOptions = {},
): Report {
  const workloads = evaluateWorkloads(snapshot, options).map(e => e.report);
  return {
    workloads,
    // A refused waiver is bad input: reported beside the workload, never dropped.
    errors: workloads.flatMap(w =>
      (w.waiverErrors ?? []).map(message => ({
        ...(snapshot.cluster ? { cluster: snapshot.cluster } : {}),
        message,
      })),
    ),
  };
}
