import { Evidence } from '../types';
import {
  CANONICAL_NAME_LABELS,
  CANONICAL_REVISION_LABELS,
  Labels,
} from '../kube/labels';
import { SnapshotIndex } from '../kube/snapshotIndex';
import { metadataPathOf, Workload } from '../kube/workloads';
import { fail, pass, Rule, workloadEvidence } from './rule';

interface Canonical {
  value?: string;
  label?: string;
}

function firstLabel(labels: Labels, keys: readonly string[]): Canonical {
  for (const key of keys) {
    if (labels[key]) return { value: labels[key], label: key };
  }
  return {};
}

/** Canonical name and revision of a workload, as Istio reads its pod labels. */
export function canonicalOf(workload: Workload) {
  return {
    name: firstLabel(workload.template.labels, CANONICAL_NAME_LABELS),
    revision: firstLabel(workload.template.labels, CANONICAL_REVISION_LABELS),
  };
}

/** Workloads by namespace, canonical name and revision: built once per snapshot. */
const byCanonical = new WeakMap<SnapshotIndex, Map<string, Workload[]>>();

function workloadsSharing(index: SnapshotIndex, key: string): Workload[] {
  let map = byCanonical.get(index);
  if (!map) {
    map = new Map();
    for (const w of index.workloads) {
      const c = canonicalOf(w);
      if (!c.name.value || !c.revision.value) continue;
      const k = `${w.namespace}/${c.name.value}/${c.revision.value}`;
      map.set(k, [...(map.get(k) ?? []), w]);
    }
    byCanonical.set(index, map);
  }
  return map.get(key) ?? [];
}

/** MR005: the pod template names the app and its version. */
export const appVersionLabels: Rule = {
  id: 'MR005',
  slug: 'app-version-labels',
  title: 'Pods carry app and version labels',
  severity: 'warning',
  rationale:
    'Istio names a workload in metrics, traces and dashboards by its canonical name and revision, read from the app and version labels; without them telemetry is hard to read, and two workloads with the same pair are merged.',
  remediation:
    'Add app and version labels (or app.kubernetes.io/name and app.kubernetes.io/version) to the pod template, distinct per workload.',
  remediationSnippet: `spec:
  template:
    metadata:
      labels:
        app: reviews
        version: v2`,
  docsUrl:
    'https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-requirements',
  onboardingOrder: 6,
  check({ workload, index }) {
    const { name, revision } = canonicalOf(workload);
    const field = `${metadataPathOf(workload.template)}.labels`;
    const missing = [!name.value && 'app', !revision.value && 'version'].filter(
      Boolean,
    );
    const evidence: Evidence[] = [];
    if (name.value) {
      evidence.push(
        workloadEvidence(
          workload,
          `name "${name.value}" from label ${name.label}`,
          field,
        ),
      );
    }
    if (revision.value) {
      evidence.push(
        workloadEvidence(
          workload,
          `revision "${revision.value}" from label ${revision.label}`,
          field,
        ),
      );
    }
    if (missing.length > 0) {
      return fail(
        `The pod template has no ${missing.join(
          ' and no ',
        )} label (looked for ${[
          !name.value && CANONICAL_NAME_LABELS.join(', '),
          !revision.value && CANONICAL_REVISION_LABELS.join(', '),
        ]
          .filter(Boolean)
          .join('; ')}).`,
        evidence,
      );
    }
    const others = workloadsSharing(
      index,
      `${workload.namespace}/${name.value}/${revision.value}`,
    ).filter(w => w !== workload);
    if (others.length > 0) {
      return fail(
        `Another workload has the same name "${name.value}" and revision "${revision.value}", so their telemetry is merged.`,
        [
          ...evidence,
          ...others.map(o => ({
            kind: o.kind,
            namespace: o.namespace,
            name: o.name,
            detail: `also "${name.value}" at revision "${revision.value}"`,
          })),
        ],
      );
    }
    return pass(
      `Canonical name "${name.value}" (from label ${name.label}), revision "${revision.value}" (from label ${revision.label}).`,
      evidence,
    );
  },
};
