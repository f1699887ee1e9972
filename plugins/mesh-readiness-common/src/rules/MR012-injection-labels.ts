import { Evidence } from '../types';
import { injectionOf, namespaceViewOf } from '../kube/dataPlaneMode';
import {
  DATAPLANE_MODE_LABEL,
  INJECT_KEY,
  INJECTION_NAMESPACE_LABEL,
  REVISION_LABEL,
} from '../kube/injection';
import { metadataPathOf } from '../kube/workloads';
import {
  fail,
  istioAnalyzer,
  pass,
  Rule,
  skip,
  unknown,
  workloadEvidence,
} from './rule';

/** The injection and data-plane labels of the pod template and its namespace. */
const POD_KEYS = [INJECT_KEY, REVISION_LABEL, DATAPLANE_MODE_LABEL];
const NAMESPACE_KEYS = [
  INJECTION_NAMESPACE_LABEL,
  REVISION_LABEL,
  DATAPLANE_MODE_LABEL,
];

/** MR012: the injection labels of a workload and its namespace agree. */
export const injectionLabels: Rule = {
  id: 'MR012',
  slug: 'injection-labels',
  title: 'Injection labels agree',
  severity: 'warning',
  readsDataPlaneMode: true,
  appliesWhenOptedOut: true,
  rationale:
    'When a namespace carries both istio-injection and istio.io/rev, or a pod and its namespace ask for different data planes, one label silently wins (the sidecar wins over ambient), so the workload runs in a mode nobody chose.',
  remediation:
    'Keep one injection label per namespace, and label pods for the same data plane as their namespace (or opt them out explicitly).',
  remediationSnippet: `# pick one: sidecar
kubectl label namespace my-namespace istio-injection=enabled istio.io/dataplane-mode-
# or ambient
kubectl label namespace my-namespace istio.io/dataplane-mode=ambient istio-injection-`,
  docsUrl:
    'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy',
  istioAnalyzer: istioAnalyzer('IST0123', 'NamespaceMultipleInjectionLabels'),
  onboardingOrder: 11,
  check({ workload, index, mode }) {
    const pod = workload.template;
    const unreadable = index.unreadable('Namespace', workload.namespace);
    if (unreadable)
      return unknown(
        `Namespace "${workload.namespace}" could not be read: ${unreadable.reason}`,
      );
    const namespace = namespaceViewOf(index, workload.namespace, mode);
    const podLabels = POD_KEYS.filter(k => pod.labels[k] !== undefined);
    const nsLabels = namespace
      ? NAMESPACE_KEYS.filter(k => namespace.labels[k] !== undefined)
      : [];
    if (!namespace) {
      return podLabels.length === 0
        ? skip(
            'The pod template carries no injection or data-plane label (its namespace is unknown).',
          )
        : unknown(
            `The labels of namespace "${
              workload.namespace
            }" are unknown (its Namespace object is not in the input), so whether the pod's ${podLabels.join(
              ', ',
            )} agree with them cannot be told.`,
          );
    }
    if (podLabels.length === 0 && nsLabels.length === 0) {
      return skip(
        'Neither the pod template nor its namespace carries an injection or data-plane label.',
      );
    }
    const problems: string[] = [];
    const evidence: Evidence[] = [];
    const nsEvidence = (detail: string) =>
      evidence.push({
        kind: 'Namespace',
        name: namespace.name,
        field: 'metadata.labels',
        detail,
      });
    const ns = namespace.labels;
    if (
      ns[INJECTION_NAMESPACE_LABEL] !== undefined &&
      ns[REVISION_LABEL] !== undefined
    ) {
      problems.push(
        `Namespace "${namespace.name}" has both ${INJECTION_NAMESPACE_LABEL}=${ns[INJECTION_NAMESPACE_LABEL]} and ${REVISION_LABEL}=${ns[REVISION_LABEL]}; ${INJECTION_NAMESPACE_LABEL} wins.`,
      );
      nsEvidence(
        `${INJECTION_NAMESPACE_LABEL}=${ns[INJECTION_NAMESPACE_LABEL]} and ${REVISION_LABEL}=${ns[REVISION_LABEL]} (${INJECTION_NAMESPACE_LABEL} wins)`,
      );
    }
    const decision = injectionOf(workload, index, mode);
    if (decision.overruled) {
      problems.push(
        `${decision.overruled[0].toUpperCase()}${decision.overruled.slice(
          1,
        )}, but ${decision.reason}.`,
      );
      if (decision.overruled.startsWith('namespace')) {
        nsEvidence(`${DATAPLANE_MODE_LABEL}=ambient loses: ${decision.reason}`);
      }
      if (
        !decision.overruled.startsWith('namespace') ||
        decision.reason.startsWith('the pod')
      ) {
        evidence.push(
          workloadEvidence(
            workload,
            `labels ${podLabels
              .map(k => `${k}=${pod.labels[k]}`)
              .join(', ')}: ${decision.reason}`,
            `${metadataPathOf(pod)}.labels`,
          ),
        );
      }
    }
    if (problems.length > 0) return fail(problems.join(' '), evidence);
    return pass(
      `The injection labels agree: ${
        decision.state === 'unknown'
          ? 'no conflict'
          : `${decision.state} (${decision.reason})`
      }.`,
    );
  },
};
