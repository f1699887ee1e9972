import { Evidence } from '../types';
import { containersOf } from '../kube/containers';
import { injectionOf, namespaceViewOf } from '../kube/dataPlaneMode';
import { formatSelector } from '../kube/labels';
import { metadataPathOf, PodView } from '../kube/workloads';
import {
  fail,
  istioAnalyzer,
  pass,
  Rule,
  skip,
  unknown,
  workloadEvidence,
} from './rule';

const AMBIENT_REDIRECTION = 'ambient.istio.io/redirection';

const INCLUDE_ISTIO = { includeIstio: true };

/** MR008: the sidecar (or ambient) is on for the workload. */
export const sidecarInjection: Rule = {
  id: 'MR008',
  slug: 'sidecar-injection',
  title: 'The sidecar is injected (or the pod is in ambient mode)',
  severity: 'warning',
  appliesWhenOptedOut: true,
  rationale:
    'A workload is only in the mesh when Istio injects its sidecar or captures it in ambient mode; otherwise it gets no mTLS, routing or telemetry.',
  remediation:
    'Label the namespace istio-injection=enabled (or istio.io/rev=<revision>, or istio.io/dataplane-mode=ambient) and restart the workload; remove any sidecar.istio.io/inject: "false".',
  remediationSnippet: `kubectl label namespace my-namespace istio-injection=enabled
kubectl rollout restart deployment/my-app -n my-namespace`,
  docsUrl:
    'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy',
  istioAnalyzer: istioAnalyzer('IST0103', 'PodMissingProxy'),
  onboardingOrder: 9,
  readsDataPlaneMode: true,
  check({ workload, index, mode }) {
    if (workload.template.spec.hostNetwork === true) {
      return skip(
        'Pods on the host network are never injected (MR009 reports it).',
      );
    }
    const unreadable = index.unreadable('Namespace', workload.namespace);
    const namespace = namespaceViewOf(index, workload.namespace, mode);
    const decision = injectionOf(workload, index, mode);
    if (decision.state === 'unknown') {
      return unknown(
        unreadable
          ? `Namespace "${workload.namespace}" could not be read: ${unreadable.reason}`
          : `Injection is unknown: ${decision.reason}.`,
      );
    }
    if (decision.state === 'off') {
      const evidence: Evidence[] = [
        workloadEvidence(
          workload,
          `pod labels {${formatSelector(workload.template.labels) || 'none'}}`,
          metadataPathOf(workload.template),
        ),
      ];
      if (namespace) {
        evidence.push({
          kind: 'Namespace',
          name: namespace.name,
          field: 'metadata.labels',
          detail: `labels {${formatSelector(namespace.labels) || 'none'}}`,
        });
      }
      return fail(`No sidecar will be injected: ${decision.reason}.`, evidence);
    }
    // In a hypothetical mode the pods would be restarted: only the template counts.
    if (!index.isLive || workload.pods.length === 0 || mode) {
      return pass(
        decision.state === 'ambient'
          ? `The workload is in ambient mode: ${decision.reason}.`
          : `The sidecar will be injected: ${decision.reason}.`,
      );
    }
    // On a live cluster the running pods must actually carry the data plane.
    const missing: Evidence[] = [];
    // Pods of one shape carry the same annotations and containers: decide
    // once per run of a shape whether they are in the mesh.
    let shape: PodView | undefined;
    let meshed = false;
    for (const pod of workload.pods) {
      if (pod.shape !== shape) {
        shape = pod.shape;
        meshed =
          decision.state === 'ambient'
            ? pod.annotations[AMBIENT_REDIRECTION] === 'enabled'
            : containersOf(pod, INCLUDE_ISTIO).some(
                c =>
                  c.name === 'istio-proxy' && c.group !== 'ephemeralContainers',
              );
      }
      if (!meshed) {
        missing.push({
          kind: 'Pod',
          namespace: pod.namespace,
          name: pod.name,
          detail:
            decision.state === 'ambient'
              ? `not captured by ambient (no ${AMBIENT_REDIRECTION}: enabled)`
              : 'runs without an istio-proxy container',
        });
      }
    }
    if (missing.length > 0) {
      return fail(
        `Injection is on (${decision.reason}) but ${missing.length} of ${workload.pods.length} running pods are not in the mesh; restart the workload.`,
        missing,
      );
    }
    return pass(
      `All ${workload.pods.length} running pods are in the mesh (${
        decision.state === 'ambient' ? 'ambient' : 'istio-proxy'
      }): ${decision.reason}.`,
    );
  },
};
