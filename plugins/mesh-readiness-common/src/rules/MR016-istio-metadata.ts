import { Evidence } from '../types';
import {
  ISTIO_METADATA,
  IstioMetadataKey,
} from '../kube/istioMetadata.generated';
import { Labels } from '../kube/labels';
import { annotationsOf, labelsOf, nameOf } from '../kube/objects';
import { metadataPathOf } from '../kube/workloads';
import {
  fail,
  istioAnalyzer,
  pass,
  Rule,
  skip,
  workloadEvidence,
} from './rule';

type MetadataKind = 'annotation' | 'label';

const CATALOGUE: Record<MetadataKind, Map<string, IstioMetadataKey>> = {
  annotation: new Map(ISTIO_METADATA.annotations.map(a => [a.name, a])),
  label: new Map(ISTIO_METADATA.labels.map(l => [l.name, l])),
};

/** An Istio domain: `istio.io` itself or any of its subdomains, before the key's `/`. */
function isIstioKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const domain = key.slice(0, slash);
  return domain === 'istio.io' || domain.endsWith('.istio.io');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known key an unknown one was probably meant to be: the nearest, case aside, of either list. */
function nearestKnown(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const list of [CATALOGUE.annotation, CATALOGUE.label]) {
    for (const name of list.keys()) {
      const distance = editDistance(key.toLowerCase(), name.toLowerCase());
      if (distance < bestDistance) {
        best = name;
        bestDistance = distance;
      }
    }
  }
  return best !== undefined &&
    bestDistance <= Math.max(3, Math.floor(key.length / 4))
    ? best
    : undefined;
}

/** What is wrong with one Istio key on one resource kind, if anything. */
function problemOf(
  kind: MetadataKind,
  key: string,
  value: string,
  resource: string,
): string | undefined {
  const known = CATALOGUE[kind].get(key);
  if (!known) {
    const other = CATALOGUE[kind === 'label' ? 'annotation' : 'label'].get(key);
    if (other)
      return `${key} is an Istio ${
        kind === 'label' ? 'annotation' : 'label'
      }, set here as a ${kind}`;
    const nearest = nearestKnown(key);
    return `${key} is not an Istio ${kind}${
      nearest ? `; did you mean ${nearest}?` : ''
    }`;
  }
  if (!known.resources.includes('Any') && !known.resources.includes(resource)) {
    return `${key} belongs on ${known.resources.join(
      ', ',
    )}, not on a ${resource}`;
  }
  if (known.deprecated)
    return `${key} is deprecated${value !== '' ? ` (value "${value}")` : ''}`;
  return undefined;
}

function check(
  kind: MetadataKind,
  entries: Labels,
  resource: string,
  found: (detail: string, key: string) => void,
) {
  for (const key of Object.keys(entries)) {
    if (!isIstioKey(key)) continue;
    const problem = problemOf(kind, key, entries[key], resource);
    if (problem) found(problem, key);
  }
}

/** MR016: Istio annotations and labels are known, on the right resource, and current. */
export const istioMetadata: Rule = {
  id: 'MR016',
  slug: 'istio-metadata',
  title: 'Istio annotations and labels are known and current',
  severity: 'warning',
  rationale:
    'Istio ignores an annotation or label it does not know, or one set on a resource it does not read, so a typo or a key moved to the wrong object silently changes nothing, and deprecated keys stop working in later releases.',
  remediation:
    'Fix the key’s spelling, move it to the resource it belongs on (the pod template, not the Deployment), or replace a deprecated key with its successor.',
  remediationSnippet: `spec:
  template:
    metadata:
      labels:
        sidecar.istio.io/inject: "true"   # the label, not the deprecated annotation`,
  docsUrl:
    'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy',
  istioAnalyzer: istioAnalyzer('IST0108', 'UnknownAnnotation'),
  onboardingOrder: 14,
  check({ workload, index }) {
    const evidence: Evidence[] = [];
    const pod = workload.template;
    const podPath = metadataPathOf(pod);
    let checked = 0;
    const count = (entries: Labels) => {
      for (const key of Object.keys(entries)) if (isIstioKey(key)) checked++;
    };
    for (const [kind, entries] of [
      ['label', pod.labels],
      ['annotation', pod.annotations],
    ] as const) {
      count(entries);
      check(kind, entries, 'Pod', (detail, key) =>
        evidence.push(
          workloadEvidence(workload, detail, `${podPath}.${kind}s["${key}"]`),
        ),
      );
    }
    const services = new Map<
      string,
      ReturnType<typeof index.servicesSelecting>[number]
    >();
    for (const s of index.servicesSelecting(pod)) services.set(nameOf(s), s);
    for (const service of services.values()) {
      for (const [kind, entries] of [
        ['label', labelsOf(service.metadata)],
        ['annotation', annotationsOf(service.metadata)],
      ] as const) {
        count(entries);
        check(kind, entries, 'Service', (detail, key) =>
          evidence.push({
            kind: 'Service',
            namespace: workload.namespace,
            name: nameOf(service),
            field: `metadata.${kind}s["${key}"]`,
            detail,
          }),
        );
      }
    }
    const namespace = index.namespace(workload.namespace);
    if (namespace) {
      for (const [kind, entries] of [
        ['label', namespace.labels],
        ['annotation', namespace.annotations ?? {}],
      ] as const) {
        count(entries);
        check(kind, entries, 'Namespace', (detail, key) =>
          evidence.push({
            kind: 'Namespace',
            name: namespace.name,
            field: `metadata.${kind}s["${key}"]`,
            detail,
          }),
        );
      }
    }
    if (checked === 0)
      return skip(
        'The pod template, its Services and its namespace carry no Istio annotation or label.',
      );
    if (evidence.length > 0) {
      return fail(
        `${evidence.length} Istio annotation${
          evidence.length === 1 ? ' or label is' : 's or labels are'
        } unknown, misplaced or deprecated: ${evidence
          .map(e => e.detail)
          .join('; ')}.`,
        evidence,
      );
    }
    return pass(
      `${checked} Istio annotation${
        checked === 1 ? '' : 's'
      } and labels are known, on the right resources and current.`,
    );
  },
};
