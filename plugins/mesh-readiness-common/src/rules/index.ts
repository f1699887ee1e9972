/*
 * The rule catalogue, in id order. Ids are stable: users write them in
 * waivers and dashboards, so an id is never reused or renamed.
 */
import { RuleDefinition } from '../types';
import { serviceAssociation } from './MR001-service-association';
import { portProtocolConflict } from './MR002-port-protocol-conflict';
import { reservedUid } from './MR003-reserved-uid';
import { initCapabilities } from './MR004-init-capabilities';
import { appVersionLabels } from './MR005-app-version-labels';
import { portNaming } from './MR006-port-naming';
import { reservedPorts } from './MR007-reserved-ports';
import { sidecarInjection } from './MR008-sidecar-injection';
import { hostNetwork } from './MR009-host-network';
import { headlessServicePorts } from './MR010-headless-service-ports';
import { probeRewrite } from './MR011-probe-rewrite';
import { injectionLabels } from './MR012-injection-labels';
import { jobCompletion } from './MR013-job-completion';
import { targetPorts } from './MR014-target-ports';
import { ambientNetworkPolicy } from './MR015-ambient-network-policy';
import { istioMetadata } from './MR016-istio-metadata';
import { definitionOf, Rule } from './rule';

/** @public */
export const RULES: Rule[] = [
  serviceAssociation,
  portProtocolConflict,
  reservedUid,
  initCapabilities,
  appVersionLabels,
  portNaming,
  reservedPorts,
  sidecarInjection,
  hostNetwork,
  headlessServicePorts,
  probeRewrite,
  injectionLabels,
  jobCompletion,
  targetPorts,
  ambientNetworkPolicy,
  istioMetadata,
];

/**
 * The catalogue as plain data, without the checks: what the API serves.
 *
 * @public
 */
export const RULE_DEFINITIONS: RuleDefinition[] = RULES.map(definitionOf);

/** @public */
export function getRule(id: string): RuleDefinition | undefined {
  return RULE_DEFINITIONS.find(r => r.id === id.toUpperCase());
}
