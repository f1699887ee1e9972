/*
 * The data-plane modes a platform team can choose for a workload, and the
 * namespace a rule sees when it judges the workload as if it ran in one.
 */
import { Labels } from './labels';
import { SnapshotIndex, NamespaceInfo } from './snapshotIndex';
import {
  DATAPLANE_MODE_LABEL,
  decideInjection,
  INJECTION_NAMESPACE_LABEL,
  InjectionDecision,
  REVISION_LABEL,
} from './injection';
import { Workload } from './workloads';

/** @public */
export type DataPlaneMode = 'sidecar' | 'ambient';
/** @public */
export const DATA_PLANE_MODES: readonly DataPlaneMode[] = [
  'sidecar',
  'ambient',
];

/** The namespace as seen by a rule: `labelsKnown` false when only the injection labels are (a hypothetical mode on a namespace not in the input). */
export interface NamespaceView extends NamespaceInfo {
  labelsKnown: boolean;
}

const views = new WeakMap<
  SnapshotIndex,
  Map<string, NamespaceView | undefined>
>();

/** Namespace labels with the injection labels set for a mode, every other label kept. */
function relabel(labels: Labels, mode: DataPlaneMode): Labels {
  const out: Labels = {};
  for (const key of Object.keys(labels)) {
    if (
      key !== INJECTION_NAMESPACE_LABEL &&
      key !== REVISION_LABEL &&
      key !== DATAPLANE_MODE_LABEL
    ) {
      out[key] = labels[key];
    }
  }
  if (mode === 'sidecar') out[INJECTION_NAMESPACE_LABEL] = 'enabled';
  else out[DATAPLANE_MODE_LABEL] = 'ambient';
  return out;
}

/**
 * The workload's namespace: as it is, or, for a mode, with its injection
 * labels set to that mode (the rest of the cluster as it is). Undefined
 * when the namespace is unknown and no mode is asked for, or when it
 * could not be read.
 */
export function namespaceViewOf(
  index: SnapshotIndex,
  name: string,
  mode: DataPlaneMode | undefined,
): NamespaceView | undefined {
  const real = index.namespace(name);
  if (!mode) return real ? { ...real, labelsKnown: true } : undefined;
  if (index.unreadable('Namespace', name)) return undefined;
  let byKey = views.get(index);
  if (!byKey) {
    byKey = new Map();
    views.set(index, byKey);
  }
  const key = `${mode}/${name}`;
  if (!byKey.has(key)) {
    byKey.set(key, {
      name,
      labels: relabel(real?.labels ?? {}, mode),
      labelsKnown: real !== undefined,
    });
  }
  return byKey.get(key);
}

/** How the injector and ambient treat the workload's pod template, in its namespace or as if in a mode. */
export function injectionOf(
  workload: Workload,
  index: SnapshotIndex,
  mode: DataPlaneMode | undefined,
): InjectionDecision {
  const unreadable = index.unreadable('Namespace', workload.namespace);
  return decideInjection(
    workload.template,
    unreadable ? undefined : namespaceViewOf(index, workload.namespace, mode),
  );
}
