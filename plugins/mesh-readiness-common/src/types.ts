/*
 * Types shared by the engine, the CLI, the backend and the frontend.
 * Everything here is plain data: it crosses the HTTP API as JSON.
 */
import type { Rule } from './rules/rule';

/**
 * The outcome of one rule for one workload.
 *
 * @public
 */
export type FindingStatus =
  | 'pass'
  | 'fail'
  | 'warn'
  | 'skip'
  | 'unknown'
  | 'waived';

/**
 * How much a failing rule costs a workload.
 *
 * @public
 */
export type Severity = 'error' | 'warning' | 'info';

/**
 * Readiness levels for scorecards.
 * 0: not compatible, 1: Compatible, 2: Observable, 3: Meshed.
 *
 * @public
 */
export type ReadinessLevel = 0 | 1 | 2 | 3;

/**
 * A rule as users see it in the catalogue: data, no logic.
 *
 * @public
 */
export interface RuleDefinition {
  /** Stable id, MR001 onwards. Never reused or renamed. */
  id: string;
  slug: string;
  title: string;
  severity: Severity;
  /** One sentence: why the rule exists. */
  rationale: string;
  /** One sentence: what to do when it fails. */
  remediation: string;
  /** A short YAML snippet showing the fix, where one helps. */
  remediationSnippet?: string;
  /** The Istio documentation section the rule comes from. */
  docsUrl: string;
  /** The nearest `istioctl analyze` message, for people who know that tool. */
  istioAnalyzer?: { code: string; name: string; url: string };
  /** The matching Kiali validation, where one exists. */
  kiali?: { code: string; name: string; url: string };
  /**
   * One sentence: how the rule judges a workload in ambient mode, where
   * that differs from how it judges one with a sidecar.
   */
  ambient?: string;
  /** Position in the onboarding checklist: lower comes first. */
  onboardingOrder: number;
}

/**
 * One object that supports a finding: which Service, port or container.
 *
 * @public
 */
export interface Evidence {
  kind: string;
  namespace?: string;
  name: string;
  /** Path of the field inside the object, e.g. `spec.ports[0]`. */
  field?: string;
  /** What about this object matters, in a short phrase. */
  detail: string;
}

/** @public */
export interface Waiver {
  reason: string;
  /** Where the waiver was declared, e.g. `Deployment shop/web annotation`. */
  source: string;
  /** `YYYY-MM-DD` (UTC) from which it no longer applies; absent: it does not expire. */
  until?: string;
}

/** @public */
export interface Finding {
  ruleId: string;
  status: FindingStatus;
  severity: Severity;
  title: string;
  message: string;
  evidence: Evidence[];
  remediation: string;
  docsUrl: string;
  /** Present when status is `waived`: the status the rule would have had. */
  waivedStatus?: FindingStatus;
  waiver?: Waiver;
  /**
   * A waiver for this rule that ran out: the finding counts again, and
   * says so ("waiver expired on …" with the reason).
   */
  expiredWaiver?: Waiver;
}

/** @public */
export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob'
  | 'Pod'
  // A controller the engine does not model (an Argo Rollout), known only
  // from the owner references of the ReplicaSets or pods it owns.
  | (string & {});

/** @public */
export interface WorkloadReport {
  /** The cluster or manifest source the workload was read from. */
  cluster?: string;
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** No `error` rule fails or is unknown (waived findings do not block). */
  ready: boolean;
  level: ReadinessLevel;
  /** 0 to 100: passed over applicable checks, weighted by severity. */
  score: number;
  findings: Finding[];
  /**
   * Whether the workload would be ready in each data-plane mode: the same
   * rules judged as if its namespace's injection labels chose that mode.
   */
  modes?: DataPlaneModes;
  /**
   * Why the findings may be partial, when they are: the workload's own
   * object could not be read, only the ReplicaSets or pods it owns.
   */
  notice?: string;
  /**
   * Waivers declared on the workload that were refused (a `waive-until`
   * that is not a date), each naming the annotation and its value.
   */
  waiverErrors?: string[];
}

/**
 * Readiness in one data-plane mode: `blocking` lists the error rules that fail or are unknown there.
 *
 * @public
 */
export interface ModeReadiness {
  ready: boolean;
  blocking: string[];
  /**
   * What each blocking rule says in this mode, by rule id: for the mode a
   * workload does not run in, the reason its own findings do not give.
   * Absent in reports stored before it was added.
   */
  messages?: Record<string, string>;
}

/** @public */
export interface DataPlaneModes {
  sidecar: ModeReadiness;
  ambient: ModeReadiness;
}

/**
 * An input that could not be read: a file, a document, a cluster, a kind.
 *
 * @public
 */
export interface ReportError {
  file?: string;
  line?: number;
  cluster?: string;
  message: string;
}

/** @public */
export interface Report {
  workloads: WorkloadReport[];
  errors: ReportError[];
}

/**
 * Rolled-up readiness of several workloads, e.g. one catalog component.
 *
 * @public
 */
export interface ReadinessSummary {
  workloads: number;
  readyWorkloads: number;
  /** The lowest level of its workloads; 0 when there are none. */
  level: ReadinessLevel;
  /** Mean of the workloads' scores, rounded; 0 when there are none. */
  score: number;
  /** Count of findings per status over every workload. */
  statusCounts: Record<FindingStatus, number>;
  /**
   * Per data-plane mode: how many workloads would be ready, and the rules
   * that block the others, most blocking first. Workloads reported without
   * modes (stored before they existed) are not counted.
   */
  modes?: Record<keyof DataPlaneModes, ModeSummary>;
}

/** @public */
export interface ModeSummary {
  /** Workloads whose report says how they fare in this mode. */
  workloads: number;
  readyWorkloads: number;
  /** Rules by the number of workloads they keep from being ready in this mode, most first. */
  blocking: Array<{ ruleId: string; workloads: number }>;
}

/* ------------------------------------------------------------------------ */
/* Kubernetes objects, as much of them as the rules read.                    */
/* Every field is optional: input is untrusted YAML or API data.             */
/* ------------------------------------------------------------------------ */

/** @public */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion?: string;
    kind?: string;
    name?: string;
    uid?: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
}

/** @public */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

/**
 * What the rules know about the cluster beyond its objects.
 *
 * @public
 */
export interface ClusterEnvironment {
  /** The control plane's Istio version (`1.28`, `1.28.1`); unknown when absent. */
  istioVersion?: string;
  /** The injector injects the proxy as a native sidecar (an init container with `restartPolicy: Always`). */
  nativeSidecars?: boolean;
  /** The Istio CNI plugin is installed: istio-init is not needed. */
  istioCni?: boolean;
  /** Ambient mode is installed cluster-wide. */
  ambient?: boolean;
  /**
   * The cluster serves the PodSecurityPolicy API (Kubernetes before 1.25).
   * Undefined means "assume not", as for manifests.
   */
  podSecurityPolicyApi?: boolean;
  /**
   * For each service account, the policies it may `use`, as the API
   * server answered SubjectAccessReviews. Missing entries mean unknown.
   */
  pspUse?: Array<{
    namespace: string;
    serviceAccount: string;
    policies: string[];
  }>;
}

/**
 * A kind that could not be read, and why: findings that need it are unknown.
 *
 * @public
 */
export interface UnreadableKind {
  kind: string;
  namespace?: string;
  reason: string;
}

/**
 * One consistent read of a cluster, or of a folder of manifests.
 *
 * @public
 */
export interface ClusterSnapshot {
  /** The cluster or manifest source name. */
  cluster?: string;
  /** `live` snapshots hold running pods; `manifests` only templates. */
  source: 'live' | 'manifests';
  objects: KubeObject[];
  environment?: ClusterEnvironment;
  unreadable?: UnreadableKind[];
}

/** @public */
export interface EvaluateOptions {
  /**
   * Extra waivers, e.g. from the catalog entity's annotations, by rule id.
   * Workload annotations are always read.
   */
  waivers?: Record<string, Waiver>;
  /** Limit to these rule ids (all when absent). */
  rules?: string[];
  /**
   * Rules added by the adopter, run after the built-in catalogue on every
   * workload; check them once with `validateCustomRules`.
   */
  customRules?: readonly Rule[];
  /** The instant waivers are judged against (expired or not); now when absent. */
  now?: Date;
  /**
   * Judge every rule again per data-plane mode, not only those that declare
   * `readsDataPlaneMode` (for tests that check the declarations).
   */
  exhaustiveModes?: boolean;
  /**
   * False leaves out readiness per data-plane mode (`modes`), for callers
   * that show no such thing: the rules that read the mode are then judged
   * once, not three times. Default true.
   */
  modes?: boolean;
}
