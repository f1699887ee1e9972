/*
 * Waivers: rules a workload or entity owner chose to accept, with a reason
 * and, optionally, a last day. Waived findings show as `waived`, never as
 * `pass`; an expired waiver waives nothing.
 */
import { Finding, Waiver, WorkloadReport } from './types';

/** @public */
export const WAIVE_ANNOTATION = 'mesh-readiness.io/waive';
/** @public */
export const WAIVE_REASON_ANNOTATION = 'mesh-readiness.io/waive-reason';
/**
 * `YYYY-MM-DD`: the day (UTC) from which the waiver no longer applies.
 *
 * @public
 */
export const WAIVE_UNTIL_ANNOTATION = 'mesh-readiness.io/waive-until';
/**
 * Istio's own suppression annotation, honoured for the matching rules.
 *
 * @public
 */
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

/**
 * Waivers read from one object's annotations, and the ones refused.
 *
 * @public
 */
export interface WaiverSet {
  /** By rule id. */
  waivers: Record<string, Waiver>;
  /** Why a declared waiver was not applied, naming the annotation and its value. */
  errors: string[];
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Whether `value` is a real calendar day written `YYYY-MM-DD`.
 *
 * @public
 */
export function isCalendarDay(value: string): boolean {
  const m = value.match(DAY);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Date.UTC rolls 2026-02-30 over into March: a real day survives the round trip.
  return date.toISOString().slice(0, 10) === value;
}

/**
 * The UTC day of an instant, `YYYY-MM-DD`: the unit waivers expire in.
 *
 * @public
 */
export function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Whether a waiver has run out: from its `until` day on (UTC) it waives nothing.
 *
 * @public
 */
export function waiverExpired(waiver: Waiver, now: Date): boolean {
  return waiver.until !== undefined && waiver.until <= dayOf(now);
}

/**
 * Reads waivers from annotations: `mesh-readiness.io/waive: "MR005,MR006"`
 * with `mesh-readiness.io/waive-reason` and, optionally,
 * `mesh-readiness.io/waive-until: "2026-12-31"`; and Istio's
 * `galley.istio.io/analyze-suppress: "IST0118"` mapped through the rules'
 * istioctl codes. Whether a waiver has expired is decided where it is
 * applied, against the caller's "now": a stored report stays valid.
 *
 * @public
 */
export function waiversFromAnnotations(
  annotations: Record<string, string>,
  source: string,
  ruleIdsByIstioCode: Map<string, string[]> = new Map(),
): WaiverSet {
  const waivers: Record<string, Waiver> = {};
  const errors: string[] = [];
  const ids = splitList(annotations[WAIVE_ANNOTATION]).map(id =>
    id.toUpperCase(),
  );
  const reason =
    annotations[WAIVE_REASON_ANNOTATION]?.trim() || 'no reason given';
  const until = annotations[WAIVE_UNTIL_ANNOTATION]?.trim();
  if (until !== undefined && !isCalendarDay(until)) {
    // A waiver with a last day nobody can read is refused, never applied
    // without one: the findings it would have hidden keep counting.
    if (ids.length > 0) {
      errors.push(
        `${source}: annotation ${WAIVE_UNTIL_ANNOTATION} "${
          annotations[WAIVE_UNTIL_ANNOTATION]
        }" is not a date written YYYY-MM-DD, so the waiver of ${ids.join(
          ', ',
        )} is not applied`,
      );
    }
  } else {
    for (const id of ids) {
      waivers[id] = {
        reason,
        source: `${source} annotation ${WAIVE_ANNOTATION}`,
        ...(until ? { until } : {}),
      };
    }
  }
  // Istio splits the value on commas and compares each element exactly
  // (no trimming, case-sensitive); `*` suppresses every message.
  const codes = (annotations[ISTIO_SUPPRESS_ANNOTATION] ?? '')
    .split(',')
    .filter(Boolean);
  for (const istioCode of codes) {
    const suppressedIds =
      istioCode === '*'
        ? [...ruleIdsByIstioCode.values()].flat()
        : ruleIdsByIstioCode.get(istioCode) ?? [];
    for (const id of suppressedIds) {
      waivers[id] ??= {
        reason: `suppressed for istioctl analyze (${istioCode})`,
        source: `${source} annotation ${ISTIO_SUPPRESS_ANNOTATION}`,
      };
    }
  }
  return { waivers, errors };
}

/**
 * A waiver as the tab, the scorecard and Tech Insights list it.
 *
 * @public
 */
export interface WaiverEntry extends Waiver {
  ruleId: string;
  /** `active` waives the finding now; `expired` no longer does. */
  state: 'active' | 'expired';
}

/**
 * The waivers that apply, or applied, to a workload's findings: in effect or expired.
 *
 * @public
 */
export function waiversOf(
  workload: Pick<WorkloadReport, 'findings'>,
): WaiverEntry[] {
  const entries: WaiverEntry[] = [];
  for (const f of workload.findings) {
    if (f.waiver)
      entries.push({ ruleId: f.ruleId, ...f.waiver, state: 'active' });
    else if (f.expiredWaiver)
      entries.push({ ruleId: f.ruleId, ...f.expiredWaiver, state: 'expired' });
  }
  return entries;
}

/**
 * The day `days` after `now`'s, `YYYY-MM-DD`.
 *
 * @public
 */
export function dayAfter(now: Date, days: number): string {
  return dayOf(new Date(now.getTime() + days * 24 * 3600 * 1000));
}

/**
 * Waivers in effect on a workload that stop applying within `days` of
 * `now` (UTC days), soonest first: what the scorecard lists and owners are
 * told about before a finding counts again.
 *
 * @public
 */
export function waiversExpiringWithin(
  workload: Pick<WorkloadReport, 'findings'>,
  now: Date,
  days: number,
): Array<WaiverEntry & { until: string }> {
  const today = dayOf(now);
  const last = dayAfter(now, days);
  return waiversOf(workload)
    .filter(
      (w): w is WaiverEntry & { until: string } =>
        w.state === 'active' && !!w.until && w.until > today && w.until <= last,
    )
    .sort(
      (a, b) =>
        a.until.localeCompare(b.until) || a.ruleId.localeCompare(b.ruleId),
    );
}

/**
 * What a finding says about its expired waiver, e.g. in the tab and the CLI.
 *
 * @public
 */
export function expiredWaiverNote(
  finding: Pick<Finding, 'expiredWaiver'>,
): string | undefined {
  const w = finding.expiredWaiver;
  return w?.until ? `waiver expired on ${w.until}: ${w.reason}` : undefined;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}
