/*
 * The shape of a rule: its catalogue entry (data) and its check (logic).
 */
import { Evidence, RuleDefinition } from '../types';
import { SnapshotIndex } from '../kube/snapshotIndex';
import { Workload } from '../kube/workloads';

export interface RuleContext {
  workload: Workload;
  index: SnapshotIndex;
}

/**
 * What a check decides. `fail` becomes `fail` for error rules and `warn`
 * for warning and info rules, so scoring reads the severity in one place.
 */
export interface RuleOutcome {
  status: 'pass' | 'fail' | 'skip' | 'unknown';
  message: string;
  evidence?: Evidence[];
}

export interface Rule extends RuleDefinition {
  /**
   * True when the rule still applies to a workload that opts out of the
   * mesh (`sidecar.istio.io/inject: "false"`); other rules skip it.
   */
  appliesWhenOptedOut?: boolean;
  check(context: RuleContext): RuleOutcome;
}

/** A rule's catalogue entry: the rule without its check, as the API serves it. */
export function definitionOf({ check, appliesWhenOptedOut, ...definition }: Rule): RuleDefinition {
  return definition;
}

export const pass = (message: string, evidence: Evidence[] = []): RuleOutcome => ({
  status: 'pass',
  message,
  evidence,
});
export const fail = (message: string, evidence: Evidence[] = []): RuleOutcome => ({
  status: 'fail',
  message,
  evidence,
});
export const skip = (message: string, evidence: Evidence[] = []): RuleOutcome => ({
  status: 'skip',
  message,
  evidence,
});
export const unknown = (message: string, evidence: Evidence[] = []): RuleOutcome => ({
  status: 'unknown',
  message,
  evidence,
});

/**
 * Evidence pointing at the object that holds the workload's pod template:
 * the workload itself, or, for a workload known only by what it owns, the
 * ReplicaSet or pod its template was read from (where `field` really is).
 */
export function workloadEvidence(workload: Workload, detail: string, field?: string): Evidence {
  const { template } = workload;
  return { kind: template.kind, namespace: workload.namespace, name: template.name, field, detail };
}

export function istioAnalyzer(code: string, name: string) {
  return {
    code,
    name,
    url: `https://istio.io/latest/docs/reference/config/analysis/${code.toLowerCase()}/`,
  };
}
