import { fail, pass, Rule, workloadEvidence } from './rule';

/** MR009: host-network pods are never injected. */
export const hostNetwork: Rule = {
  id: 'MR009',
  slug: 'host-network',
  title: 'Pods do not use the host network',
  severity: 'error',
  rationale:
    'Istio never injects a sidecar into pods with hostNetwork: true, because capturing their traffic would capture the node’s, so they can never join the mesh.',
  remediation:
    'Remove hostNetwork: true from the pod spec, or keep the workload out of the mesh explicitly with sidecar.istio.io/inject: "false".',
  remediationSnippet: `spec:
  template:
    spec:
      hostNetwork: false`,
  docsUrl:
    'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy',
  onboardingOrder: 0,
  check({ workload }) {
    if (workload.template.spec.hostNetwork === true) {
      return fail(
        'The pods use the host network, so Istio will never inject them.',
        [
          workloadEvidence(
            workload,
            'hostNetwork: true',
            `${workload.template.specPath}.hostNetwork`,
          ),
        ],
      );
    }
    return pass('The pods use their own network namespace.');
  },
};
