/*
 * An entity's Mesh Readiness report as Tech Insights facts. Pure: the
 * report in, the facts out, so what Soundcheck sees is what the tab shows.
 */
import {
  componentReady,
  EntityReadinessResponse,
  findingsNeedingAction,
  waiversOf,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/**
 * The facts' schema, as Tech Insights stores and checks them.
 *
 * @public
 */
export const MESH_READINESS_FACT_SCHEMA = {
  ready: {
    type: 'boolean',
    description:
      'Every workload of the component is ready for the mesh (no error rule fails or is unknown).',
  },
  level: {
    type: 'integer',
    description:
      'The lowest readiness level of its workloads: 0 not compatible, 1 Compatible, 2 Observable, 3 Meshed.',
  },
  score: {
    type: 'integer',
    description: 'The mean of its workloads’ scores, 0 to 100.',
  },
  workloads: {
    type: 'integer',
    description: 'How many workloads the component maps to.',
  },
  failingRules: {
    type: 'set',
    description:
      'Ids of the rules that fail, warn or are unknown on any of its workloads (MR001…).',
  },
  waivers: {
    type: 'object',
    description:
      'The waivers in effect or expired on its workloads: ruleId, reason, source, until (YYYY-MM-DD) and state (active or expired).',
  },
  ambientReady: {
    type: 'boolean',
    description:
      'Every workload would be ready in ambient mode; absent when the scan did not judge the modes.',
  },
} as const;

/** @public */
export type MeshReadinessFacts = {
  ready: boolean;
  level: number;
  score: number;
  workloads: number;
  failingRules: string[];
  waivers: Array<{
    ruleId: string;
    reason: string;
    source: string;
    until?: string;
    state: string;
    workload: string;
  }>;
  ambientReady?: boolean;
};

/** Readiness per data-plane mode, where the report has it (`modes.ambient.ready`). */
function ambientReadyOf(report: EntityReadinessResponse): boolean | undefined {
  const judged = report.workloads.map(
    w =>
      (w as { modes?: { ambient?: { ready?: unknown } } }).modes?.ambient
        ?.ready,
  );
  if (judged.length === 0 || judged.some(r => typeof r !== 'boolean'))
    return undefined;
  return judged.every(r => r === true);
}

/**
 * The facts of a mapped component; undefined for one not mapped to workloads.
 *
 * @public
 */
export function factsOf(
  report: EntityReadinessResponse,
): MeshReadinessFacts | undefined {
  if (!report.mapped) return undefined;
  const failing = new Set(
    report.workloads.flatMap(w => findingsNeedingAction(w).map(f => f.ruleId)),
  );
  const facts: MeshReadinessFacts = {
    ready: componentReady(report),
    level: report.summary.level,
    score: report.summary.score,
    workloads: report.summary.workloads,
    failingRules: [...failing].sort(),
    waivers: report.workloads.flatMap(w =>
      waiversOf(w).map(({ ruleId, reason, source, until, state }) => ({
        ruleId,
        reason,
        source,
        ...(until ? { until } : {}),
        state,
        workload: `${w.cluster}/${w.kind}/${w.namespace}/${w.name}`,
      })),
    ),
  };
  const ambientReady = ambientReadyOf(report);
  if (ambientReady !== undefined) facts.ambientReady = ambientReady;
  return facts;
}
