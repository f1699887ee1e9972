import { Evidence } from '../types';
import { containersOf } from '../kube/containers';
import { isRecord } from '../kube/objects';
import { injectionOf } from '../kube/dataPlaneMode';
import { distinctPodViewsOf } from '../kube/workloads';
import { fail, istioAnalyzer, pass, Rule, skip } from './rule';

const PROXY_UID = 1337;

const GROUP_NAMES = {
  containers: 'container',
  initContainers: 'init container',
  ephemeralContainers: 'ephemeral container',
} as const;

/** The UID a container runs as: its own securityContext over the pod's. */
function effectiveRunAsUser(
  container: Record<string, any>,
  podSpec: Record<string, any>,
): { uid: unknown; from: 'container' | 'pod' } | undefined {
  const own = isRecord(container.securityContext)
    ? container.securityContext.runAsUser
    : undefined;
  if (own !== undefined && own !== null) return { uid: own, from: 'container' };
  const pod = isRecord(podSpec.securityContext)
    ? podSpec.securityContext.runAsUser
    : undefined;
  if (pod !== undefined && pod !== null) return { uid: pod, from: 'pod' };
  return undefined;
}

/** MR003: no container runs as the sidecar proxy's UID. */
export const reservedUid: Rule = {
  id: 'MR003',
  slug: 'reserved-uid',
  title: 'No container runs as UID 1337',
  severity: 'error',
  rationale:
    'The sidecar proxy runs as UID 1337 and its traffic capture lets that UID’s traffic bypass the proxy, so an application running as 1337 escapes the mesh.',
  remediation:
    'Run the application as any other UID: set securityContext.runAsUser on the pod or container to a different value.',
  remediationSnippet: `securityContext:
  runAsUser: 1000
  runAsNonRoot: true`,
  docsUrl:
    'https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-requirements',
  istioAnalyzer: istioAnalyzer('IST0144', 'InvalidApplicationUID'),
  ambient:
    'The rule does not apply: no proxy runs in the pod, and the in-pod capture that ztunnel sets up exempts ztunnel’s own traffic by its packet mark, not by UID, so UID 1337 is an ordinary UID there.',
  onboardingOrder: 1,
  readsDataPlaneMode: true,
  check({ workload, index, mode }) {
    const injection = injectionOf(workload, index, mode);
    if (injection.state === 'ambient') {
      return skip(
        `The workload is in ambient mode (${injection.reason}): no sidecar runs in the pod and ztunnel’s capture does not exempt UID 1337, so the UID is not reserved.`,
      );
    }
    const offending: Evidence[] = [];
    const seen = new Set<string>();
    let containers = 0;
    for (const pod of distinctPodViewsOf(workload)) {
      for (const c of containersOf(pod)) {
        containers++;
        const run = effectiveRunAsUser(c.container, pod.spec);
        if (!run || Number(run.uid) !== PROXY_UID) continue;
        const key = `${c.group}/${c.name}/${run.from}`;
        if (seen.has(key)) continue;
        seen.add(key);
        offending.push({
          kind: pod.source === 'template' ? workload.kind : 'Pod',
          namespace: pod.namespace,
          name: pod.name,
          field:
            run.from === 'container'
              ? `${c.path}.securityContext.runAsUser`
              : `${pod.specPath}.securityContext.runAsUser`,
          detail: `${GROUP_NAMES[c.group]} "${
            c.name
          }" runs as UID 1337 (set on the ${run.from})`,
        });
      }
    }
    if (containers === 0) return skip('The workload declares no containers.');
    if (offending.length > 0) {
      const names = [
        ...new Set(offending.map(e => e.detail.replace(/ runs as.*/, ''))),
      ];
      return fail(
        `${names.join(', ')} run${
          names.length === 1 ? 's' : ''
        } as UID 1337, the sidecar proxy’s UID.`,
        offending,
      );
    }
    return pass(
      'No container sets runAsUser 1337. (An image’s default user is not visible here.)',
    );
  },
};
