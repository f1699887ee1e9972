/**
 * Rule catalogue, report types and the pure rule engine of Mesh Readiness.
 * The permission definitions are in the `/permissions` entry point.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './api';
export {
  evaluate,
  evaluateWorkload,
  evaluateWorkloads,
  applyWaivers,
  waive,
} from './engine';
export { RULES, RULE_DEFINITIONS, getRule } from './rules';
export { validateCustomRules } from './rules/custom';
export {
  definitionOf,
  pass,
  fail,
  skip,
  unknown,
  workloadEvidence,
} from './rules/rule';
export type { Rule, RuleContext, RuleOutcome } from './rules/rule';
export type { SnapshotIndex, NamespaceInfo } from './kube/snapshotIndex';
export {
  SEVERITY_WEIGHTS,
  LEVEL_NAMES,
  DATA_PLANE_RULE_ID,
  isReady,
  levelOf,
  scoreOf,
  summarize,
  summarizeMode,
  blockingRules,
  emptyStatusCounts,
  NEEDS_ACTION_STATUSES,
  needsAction,
  findingsNeedingAction,
  componentReady,
  averageScore,
  topFailingRules,
} from './scoring';
export {
  WAIVE_ANNOTATION,
  WAIVE_REASON_ANNOTATION,
  WAIVE_UNTIL_ANNOTATION,
  ISTIO_SUPPRESS_ANNOTATION,
  waiversFromAnnotations,
  waiversOf,
  waiverExpired,
  expiredWaiverNote,
  isCalendarDay,
  dayOf,
  dayAfter,
  waiversExpiringWithin,
} from './waivers';
export type { WaiverSet, WaiverEntry } from './waivers';
export {
  HELM_CHART_FILE,
  mayHoldObjects,
  parseManifests,
  READ_KINDS,
} from './manifests';
export { yamlLibrary } from './yamlLibrary';
export { ISTIO_METADATA } from './kube/istioMetadata.generated';
export type { IstioMetadataKey } from './kube/istioMetadata.generated';
export {
  parseTargetProfile,
  applyTargetProfile,
  environmentOfTarget,
  istioAtLeast,
  istioMinorVersion,
} from './target';
export type { TargetProfile, ParsedTargetProfile } from './target';
export type {
  ParsedManifests,
  ParseManifestsOptions,
  IgnoredObject,
  ObjectSource,
} from './manifests';
export { splitDocuments } from './manifestDocuments';
export { readFieldsOf, readFieldsOfEach } from './kube/readFields';
export type { ManifestDocument } from './manifestDocuments';
export {
  parseLabelSelector,
  labelSelectorMatches,
  serviceSelects,
  formatSelector,
  CANONICAL_NAME_LABELS,
  CANONICAL_REVISION_LABELS,
} from './kube/labels';
export type {
  LabelSelector,
  LabelSelectorRequirement,
  Labels,
} from './kube/labels';
export { selectProtocol } from './kube/protocol';
export type {
  MeshProtocol,
  ProtocolSelection,
  ServicePortLike,
} from './kube/protocol';
export { findWorkloads, WORKLOAD_KINDS } from './kube/workloads';
export { DATA_PLANE_MODES } from './kube/dataPlaneMode';
export type { DataPlaneMode } from './kube/dataPlaneMode';
export type { Workload, PodView } from './kube/workloads';
