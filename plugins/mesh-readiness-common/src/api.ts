/*
 * The HTTP API's response shapes, shared by the backend (which serves
 * them) and the frontend client (which reads them).
 */
import {
  DataPlaneModes,
  ModeSummary,
  ReadinessLevel,
  ReadinessSummary,
  ReportError,
  RuleDefinition,
  Severity,
  WorkloadReport,
} from './types';

/**
 * The Kubernetes plugin's annotations that map an entity to workloads.
 *
 * @public
 */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** @public */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
/** @public */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
/** @public */
export const KUBERNETES_CLUSTER_ANNOTATION = 'backstage.io/kubernetes-cluster';

/**
 * GET /rules
 *
 * @public
 */
export interface RulesResponse {
  rules: RuleDefinition[];
}

/**
 * One cluster's part of an entity's report.
 *
 * @public
 */
export interface ClusterResult {
  cluster: string;
  /** `error`: the cluster could not be read; `workloads` then holds the last good result, if any. */
  status: 'ok' | 'error';
  error?: string;
  /** ISO time of the scan these workloads come from. */
  scannedAt?: string;
  /** True when the workloads come from an earlier scan because the latest failed. */
  stale?: boolean;
  workloads: WorkloadReport[];
}

/**
 * GET /entities/:kind/:namespace/:name
 *
 * @public
 */
export interface EntityReadinessResponse {
  entityRef: string;
  /** False when the entity has none of the Kubernetes annotations. */
  mapped: boolean;
  /** When not mapped: what to add, in words, and the annotations that would map it. */
  notMappedReason?: string;
  suggestedAnnotations?: Record<string, string>;
  scannedAt?: string;
  summary: ReadinessSummary;
  clusters: ClusterResult[];
  /** Every workload of every cluster, in the `check` command's JSON shape. */
  workloads: WorkloadReport[];
  errors: ReportError[];
}

/** @public */
export interface ComponentScore {
  entityRef: string;
  name: string;
  title?: string;
  mapped: boolean;
  ready: boolean;
  level: ReadinessLevel;
  score: number;
  workloads: number;
  scannedAt?: string;
}

/** @public */
export interface FailingRule {
  ruleId: string;
  title: string;
  severity: Severity;
  /** How many workloads this rule blocks (status fail, warn or unknown). */
  workloads: number;
}

/** @public */
export interface TrendPoint {
  scannedAt: string;
  components: number;
  readyComponents: number;
  averageScore: number;
}

/**
 * GET /groups/:namespace/:name/scorecard
 *
 * @public
 */
export interface GroupScorecardResponse {
  groupRef: string;
  title?: string;
  components: ComponentScore[];
  /** Components per level; `notMapped` counts components with no mapping. */
  levelDistribution: {
    0: number;
    1: number;
    2: number;
    3: number;
    notMapped: number;
  };
  averageScore: number;
  readyComponents: number;
  topFailingRules: FailingRule[];
  /** The group's workloads per data-plane mode: how many would be ready, and what blocks the rest most. */
  modes?: Record<keyof DataPlaneModes, ModeSummary>;
  /** Oldest first. */
  trend: TrendPoint[];
  /** Waivers in effect that run out within the next 14 days, soonest first. */
  expiringWaivers: ExpiringWaiver[];
}

/**
 * A waiver in effect on one workload of a component, with its last day.
 *
 * @public
 */
export interface ExpiringWaiver {
  entityRef: string;
  /** `cluster/Kind/namespace/name` */
  workload: string;
  ruleId: string;
  reason: string;
  source: string;
  /** `YYYY-MM-DD` (UTC), the day it stops applying. */
  until: string;
}

/** @public */
export interface TeamSummary {
  groupRef: string;
  title?: string;
  components: number;
  mappedComponents: number;
  readyComponents: number;
  /** readyComponents over components, 0 to 1. */
  readyShare: number;
  averageScore: number;
  /** The team's workloads, and how many of them would be ready in ambient mode. */
  workloads?: number;
  ambientReadyWorkloads?: number;
}

/**
 * GET /scorecards
 *
 * @public
 */
export interface OrganizationScorecardResponse {
  teams: TeamSummary[];
  topFailingRules: FailingRule[];
  /** Every team's workloads per data-plane mode. */
  modes?: Record<keyof DataPlaneModes, ModeSummary>;
  scannedAt?: string;
}

/**
 * One scan, on whichever backend replica ran it: the scheduled read of one
 * cluster, or a user's scan of some or all clusters.
 *
 * @public
 */
export interface ScanSummary {
  id: number;
  /** `schedule`: the scheduler's read of one cluster; `refresh`: asked for by a user. */
  trigger: 'schedule' | 'refresh';
  /** Host and process id of the backend that ran it. */
  runner: string;
  startedAt: string;
  finishedAt?: string;
  /**
   * `interrupted`: it never finished and has run longer than any scan can,
   * so its backend stopped mid-scan; nothing of it was stored.
   */
  state: 'running' | 'finished' | 'interrupted';
  /** The clusters it set out to read, known from its start (absent on scans of every cluster by older versions). */
  planned?: string[];
  /** Per cluster read: ok, or the error; known once it finished. */
  clusters?: Array<{ cluster: string; ok: boolean; error?: string }>;
}

/**
 * One cluster's latest attempt.
 *
 * @public
 */
export interface ClusterStatus {
  cluster: string;
  status: 'ok' | 'error';
  error?: string;
  attemptedAt: string;
  /** When the stored workloads were read; older than `attemptedAt` when stale. */
  scannedAt?: string;
  stale?: boolean;
  workloads: number;
  /** For a cluster of the Kubernetes plugin: the locator that found it (`config`, `catalog`, `gke`, ...). */
  locator?: string;
  /** For a cluster of the Kubernetes plugin: its auth provider (`serviceAccount`, `aws`, `oidc`, ...). */
  authProvider?: string;
  /** With `authProvider: oidc`: which sign-in provider's token it takes. */
  oidcTokenProvider?: string;
  /**
   * Its auth provider uses each user's own credentials (`google`, `oidc`,
   * `aks`): scheduled scans cannot read it, a signed-in user's Scan now can.
   */
  needsSignedInUser?: boolean;
}

/**
 * GET /scans
 *
 * @public
 */
export interface ScansResponse {
  clusters: ClusterStatus[];
  scans: ScanSummary[];
  /**
   * Clusters whose scheduled read found every replica's read slots taken,
   * longest waiting first: the first replica with a free slot reads them.
   * Absent from backends before this field.
   */
  waiting?: Array<{ cluster: string; since: string }>;
}
