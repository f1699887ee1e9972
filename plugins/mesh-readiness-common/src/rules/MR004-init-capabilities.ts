import { Evidence } from '../types';
import { asArray, asString, isRecord } from '../kube/objects';
import { injectionOf, namespaceViewOf } from '../kube/dataPlaneMode';
import { fail, pass, Rule, unknown } from './rule';

const PSA_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const REQUIRED = ['NET_ADMIN', 'NET_RAW'];

function allowsCapabilities(policy: Record<string, any> | undefined): boolean {
  if (!policy || !isRecord(policy.spec)) return false;
  const allowed = asArray(policy.spec.allowedCapabilities).map(c =>
    String(c).toUpperCase(),
  );
  return allowed.includes('*') || REQUIRED.every(c => allowed.includes(c));
}

/** MR004: istio-init may add NET_ADMIN and NET_RAW. */
export const initCapabilities: Rule = {
  id: 'MR004',
  slug: 'init-capabilities',
  title: 'istio-init may add NET_ADMIN and NET_RAW',
  severity: 'error',
  rationale:
    'Without the Istio CNI plugin, the injected istio-init container needs the NET_ADMIN and NET_RAW capabilities to set up traffic capture, and pod security policies or Pod Security Admission can forbid them.',
  remediation:
    'Install the Istio CNI plugin (or use ambient mode); otherwise let the workload’s service account use a policy that allows NET_ADMIN and NET_RAW, or relax the namespace’s Pod Security Admission level.',
  remediationSnippet: `# Istio CNI plugin, with istioctl
istioctl install --set components.cni.enabled=true`,
  docsUrl:
    'https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-requirements',
  onboardingOrder: 2,
  readsDataPlaneMode: true,
  check({ workload, index, mode }) {
    const env = index.snapshot.environment ?? {};
    const pod = workload.template;
    if (env.istioCni) {
      return pass(
        'The Istio CNI plugin is installed, so istio-init and its capabilities are not needed.',
      );
    }
    if (env.ambient) {
      return pass(
        'Ambient mode is installed (it brings the CNI plugin), so istio-init is not needed.',
      );
    }
    const namespace = namespaceViewOf(index, workload.namespace, mode);
    const injection = injectionOf(workload, index, mode);
    if (injection.state === 'ambient') {
      return pass(
        `The workload is in ambient mode (${injection.reason}): no istio-init container is injected.`,
      );
    }

    if (env.podSecurityPolicyApi) {
      const serviceAccount =
        asString(pod.spec.serviceAccountName) ||
        asString(pod.spec.serviceAccount) ||
        'default';
      const subject = `system:serviceaccount:${workload.namespace}:${serviceAccount}`;
      const psps = index.unreadable('PodSecurityPolicy');
      if (psps)
        return unknown(
          `Pod security policies could not be read: ${psps.reason}`,
        );
      const access = (env.pspUse ?? []).find(
        a =>
          a.namespace === workload.namespace &&
          a.serviceAccount === serviceAccount,
      );
      if (!access) {
        return unknown(
          `It is not known which pod security policies ${subject} may use.`,
        );
      }
      const usable = access.policies.map(name => ({
        name,
        policy: index.podSecurityPolicy(name),
      }));
      const allowing = usable.filter(u => allowsCapabilities(u.policy));
      const evidence: Evidence[] = usable.map(u => ({
        kind: 'PodSecurityPolicy',
        name: u.name,
        field: 'spec.allowedCapabilities',
        detail: `${subject} may use it; allowed capabilities: ${
          asArray(u.policy?.spec?.allowedCapabilities).join(', ') || 'none'
        }`,
      }));
      if (allowing.length > 0) {
        return pass(
          `${subject} may use policy "${allowing[0].name}", which allows NET_ADMIN and NET_RAW.`,
          evidence,
        );
      }
      return fail(
        usable.length === 0
          ? `${subject} may use no pod security policy, so istio-init cannot start.`
          : `No pod security policy that ${subject} may use allows both NET_ADMIN and NET_RAW.`,
        evidence,
      );
    }

    // No policy API (Kubernetes 1.25 and later): Pod Security Admission decides.
    if (!namespace || !namespace.labelsKnown) {
      const unreadable = index.unreadable('Namespace', workload.namespace);
      return unknown(
        unreadable
          ? `Namespace "${workload.namespace}" could not be read: ${unreadable.reason}`
          : `The Pod Security Admission level of namespace "${workload.namespace}" is unknown (its Namespace object is not in the input); add it, or say the CNI plugin is installed.`,
      );
    }
    const level = namespace.labels[PSA_ENFORCE_LABEL];
    // The CNI plugin runs as a DaemonSet: when those could not be read,
    // a namespace that forbids the capabilities may still be fine.
    const daemonSets = index.unreadable('DaemonSet');
    const evidence: Evidence[] = [
      {
        kind: 'Namespace',
        name: namespace.name,
        field: `metadata.labels["${PSA_ENFORCE_LABEL}"]`,
        detail: level ? `enforces "${level}"` : 'no enforce label (privileged)',
      },
    ];
    if (!level || level === 'privileged') {
      return pass(
        `Namespace "${namespace.name}" enforces no Pod Security Admission level that forbids NET_ADMIN and NET_RAW.`,
        evidence,
      );
    }
    if (daemonSets) {
      return unknown(
        `Namespace "${namespace.name}" enforces Pod Security "${level}", which forbids NET_ADMIN and NET_RAW unless the Istio CNI plugin is installed, and whether it is cannot be seen: ${daemonSets.reason}`,
        evidence,
      );
    }
    return fail(
      level === 'baseline' || level === 'restricted'
        ? `Namespace "${namespace.name}" enforces Pod Security "${level}", which forbids NET_ADMIN and NET_RAW; without the Istio CNI plugin istio-init is rejected.`
        : `Namespace "${namespace.name}" has an invalid Pod Security level "${level}", which admission treats as restricted; NET_ADMIN and NET_RAW are forbidden.`,
      evidence,
    );
  },
};
