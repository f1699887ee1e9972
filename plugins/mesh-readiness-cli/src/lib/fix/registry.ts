/*
 * The fixes by rule id. A finding of one of these rules that needs action
 * triggers its fix.
 */
import { ISTIO_METADATA } from '@mesh-readiness/plugin-mesh-readiness-common';
import {
  Fixer,
  fixAppVersionLabels,
  fixJobCompletion,
  fixPortProtocol,
  fixProbeRewrite,
} from './fixers';
import { istioMetadataFixer } from './istioMetadata';
import { FixableRule } from './fixable';

/** Exactly one fixer for each of FIXABLE_RULES: the type refuses a missing or an extra one. */
const FIXERS_BY_RULE: Record<FixableRule, Fixer> = {
  MR005: fixAppVersionLabels,
  MR006: fixPortProtocol,
  MR011: fixProbeRewrite,
  MR013: fixJobCompletion,
  MR016: istioMetadataFixer({
    annotations: ISTIO_METADATA.annotations.map(a => a.name),
    labels: ISTIO_METADATA.labels.map(l => l.name),
  }),
};

export const FIXERS: Record<string, Fixer | undefined> = FIXERS_BY_RULE;
