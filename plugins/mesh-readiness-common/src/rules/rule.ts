/*
 * The shape of a rule: its catalogue entry (data) and its check (logic).
 */
import { Evidence, RuleDefinition, Severity } from '../types';
import { DataPlaneMode } from '../kube/dataPlaneMode';
import { SnapshotIndex } from '../kube/snapshotIndex';
import { Workload } from '../kube/workloads';

/** @public */
export interface RuleContext {
  workload: Workload;
  index: SnapshotIndex;
  /**
   * Set when the workload is judged as if it ran in this data-plane mode
   * (its namespace's injection labels set accordingly). Only rules that
   * declare `readsDataPlaneMode` are run again per mode; they read the
   * namespace through `namespaceViewOf` / `injectionOf` with this mode.
   */
  mode?: DataPlaneMode;
}

/**
 * What a check decides. `fail` becomes `fail` for error rules and `warn`
 * for warning and info rules, so scoring reads the severity in one place.
 *
 * @public
 */
export interface RuleOutcome {
  status: 'pass' | 'fail' | 'skip' | 'unknown';
  message: string;
  evidence?: Evidence[];
  /**
   * A lower severity for this finding than the rule's, when the target
   * says the requirement no longer blocks (MR001 on Istio 1.20 and later).
   */
  severity?: Severity;
}

/** @public */
export interface Rule extends RuleDefinition {
  /**
   * True when the rule still applies to a workload that opts out of the
   * mesh (`sidecar.istio.io/inject: "false"`); other rules skip it.
   */
  appliesWhenOptedOut?: boolean;
  /**
   * True when the outcome depends on the workload's data-plane mode (it
   * reads the namespace's injection labels): the engine runs it again for
   * each mode. Others are run once and their finding reused per mode
   * (modes.test.ts checks that this holds for every fixture).
   */
  readsDataPlaneMode?: boolean;
  check(context: RuleContext): RuleOutcome;
}

/**
 * A rule's catalogue entry: the rule without its check, as the API serves it.
 *
 * @public
 */
export function definitionOf({
  check,
  appliesWhenOptedOut,
  readsDataPlaneMode,
  ...definition
}: Rule): RuleDefinition {
  return definition;
}

/** @public */
export const pass = (
  message: string,
  evidence: Evidence[] = [],
): RuleOutcome => ({
  status: 'pass',
  message,
  evidence,
});
/** @public */
export const fail = (
  message: string,
  evidence: Evidence[] = [],
  severity?: Severity,
): RuleOutcome => ({
  status: 'fail',
  message,
  evidence,
  ...(severity ? { severity } : {}),
});
/** @public */
export const skip = (
  message: string,
  evidence: Evidence[] = [],
): RuleOutcome => ({
  status: 'skip',
  message,
  evidence,
});
/** @public */
export const unknown = (
  message: string,
  evidence: Evidence[] = [],
): RuleOutcome => ({
  status: 'unknown',
  message,
  evidence,
});

/**
 * Evidence pointing at the object that holds the workload's pod template:
 * the workload itself, or, for a workload known only by what it owns, the
 * ReplicaSet or pod its template was read from (where `field` really is).
 *
 * @public
 */
export function workloadEvidence(
  workload: Workload,
  detail: string,
  field?: string,
): Evidence {
  const { template } = workload;
  return {
    kind: template.kind,
    namespace: workload.namespace,
    name: template.name,
    field,
    detail,
  };
}

/** A Kiali validation, with its anchor on Kiali's validations page. */
export function kialiValidation(code: string, name: string) {
  const anchor = `${code} - ${name}`
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
  return {
    code,
    name,
    url: `https://kiali.io/docs/features/validations/#${anchor}`,
  };
}

export function istioAnalyzer(code: string, name: string) {
  return {
    code,
    name,
    url: `https://istio.io/latest/docs/reference/config/analysis/${code.toLowerCase()}/`,
  };
}
