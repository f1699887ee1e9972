/*
 * Waivers: rules a workload or entity owner chose to accept, with a reason.
 * Waived findings show as `waived`, never as `pass`.
 */
import { Waiver } from './types';

export const WAIVE_ANNOTATION = 'mesh-readiness.io/waive';
export const WAIVE_REASON_ANNOTATION = 'mesh-readiness.io/waive-reason';
/** Istio's own suppression annotation, honoured for the matching rules. */
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

/**
 * Reads waivers from annotations: `mesh-readiness.io/waive: "MR005,MR006"`
 * with `mesh-readiness.io/waive-reason`, and Istio's
 * `galley.istio.io/analyze-suppress: "IST0118"` mapped through the rules'
 * istioctl codes.
 */
export function waiversFromAnnotations(
  annotations: Record<string, string>,
  source: string,
  ruleIdsByIstioCode: Map<string, string[]> = new Map(),
): Record<string, Waiver> {
  const waivers: Record<string, Waiver> = {};
  const ids = splitList(annotations[WAIVE_ANNOTATION]).map(id => id.toUpperCase());
  const reason = annotations[WAIVE_REASON_ANNOTATION]?.trim() || 'no reason given';
  for (const id of ids) {
    waivers[id] = { reason, source: `${source} annotation ${WAIVE_ANNOTATION}` };
  }
  // Istio splits the value on commas and compares each element exactly
  // (no trimming, case-sensitive); `*` suppresses every message.
  const codes = (annotations[ISTIO_SUPPRESS_ANNOTATION] ?? '').split(',').filter(Boolean);
  for (const istioCode of codes) {
    const suppressedIds =
      istioCode === '*' ? [...ruleIdsByIstioCode.values()].flat() : ruleIdsByIstioCode.get(istioCode) ?? [];
    for (const id of suppressedIds) {
      waivers[id] ??= {
        reason: `suppressed for istioctl analyze (${istioCode})`,
        source: `${source} annotation ${ISTIO_SUPPRESS_ANNOTATION}`,
      };
    }
  }
  return waivers;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}
