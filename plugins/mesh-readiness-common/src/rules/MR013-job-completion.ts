import { containersOf } from '../kube/containers';
import { injectionOf } from '../kube/dataPlaneMode';
import { metadataPathOf, PodView } from '../kube/workloads';
import { fail, pass, Rule, skip, unknown, workloadEvidence } from './rule';

const NATIVE_SIDECAR_ANNOTATION = 'sidecar.istio.io/nativeSidecar';
const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';
const EXIT_ON_ZERO = 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS';
const INCLUDE_ISTIO = { includeIstio: true };

/** Whether the pod's proxy config sets EXIT_ON_ZERO_ACTIVE_CONNECTIONS to true (a YAML or JSON proxyMetadata entry). */
function exitsOnZeroConnections(pod: PodView): boolean {
  const config = pod.annotations[PROXY_CONFIG_ANNOTATION];
  return (
    config !== undefined &&
    new RegExp(`["']?${EXIT_ON_ZERO}["']?\\s*:\\s*["']?true`, 'i').test(config)
  );
}

/** How the running proxy is injected, when a live pod shows it. */
function liveProxy(pod: PodView): 'native' | 'classic' | undefined {
  const proxy = containersOf(pod, INCLUDE_ISTIO).find(
    c => c.name === 'istio-proxy' && c.group !== 'ephemeralContainers',
  );
  if (!proxy) return undefined;
  return proxy.group === 'initContainers' &&
    proxy.container.restartPolicy === 'Always'
    ? 'native'
    : 'classic';
}

/** MR013: a Job with a classic sidecar never completes. */
export const jobCompletion: Rule = {
  id: 'MR013',
  slug: 'job-completion',
  title: 'Jobs complete with their sidecar',
  severity: 'warning',
  readsDataPlaneMode: true,
  rationale:
    'A classic sidecar keeps running after a Job’s containers exit, so the pod never completes unless the app calls the agent’s /quitquitquit; a native sidecar (an init container with restartPolicy: Always, the default since Istio 1.28 where every kubelet is 1.33 or newer) ends with the pod.',
  remediation:
    'Use native sidecars (sidecar.istio.io/nativeSidecar: "true" on the pod template), or set EXIT_ON_ZERO_ACTIVE_CONNECTIONS in the proxy config, or run the Job in ambient mode.',
  remediationSnippet: `template:
  metadata:
    annotations:
      sidecar.istio.io/nativeSidecar: "true"`,
  docsUrl:
    'https://istio.io/latest/docs/reference/commands/pilot-agent/#envvars',
  onboardingOrder: 12,
  check({ workload, index, mode }) {
    if (workload.kind !== 'Job' && workload.kind !== 'CronJob') {
      return skip(`A ${workload.kind} is not expected to complete.`);
    }
    const pod = workload.template;
    const decision = injectionOf(workload, index, mode);
    if (decision.state === 'off')
      return skip(`No sidecar is injected: ${decision.reason}.`);
    if (decision.state === 'ambient')
      return pass(
        `The Job runs in ambient mode (${decision.reason}): no sidecar to outlive it.`,
      );
    if (decision.state === 'unknown')
      return unknown(
        `Whether a sidecar is injected is unknown: ${decision.reason}.`,
      );
    const evidence = [
      workloadEvidence(
        workload,
        `injected: ${decision.reason}`,
        `${metadataPathOf(pod)}.annotations`,
      ),
    ];
    if (exitsOnZeroConnections(pod)) {
      return pass(
        `The proxy exits once the Job's connections close (${EXIT_ON_ZERO} in ${PROXY_CONFIG_ANNOTATION}).`,
        evidence,
      );
    }
    // Running pods show what the injector did, unless judged for a hypothetical mode.
    if (!mode && index.isLive && workload.pods.length > 0) {
      const classic = workload.pods.filter(p => liveProxy(p) === 'classic');
      if (
        classic.length === 0 &&
        workload.pods.some(p => liveProxy(p) === 'native')
      ) {
        return pass(
          'The running pods carry istio-proxy as a native sidecar, which ends with the pod.',
        );
      }
      if (classic.length > 0) {
        return fail(
          `${classic.length} running pod${
            classic.length === 1 ? '' : 's'
          } carry istio-proxy as a classic sidecar, which keeps the Job from completing.`,
          classic.map(p => ({
            kind: 'Pod',
            namespace: p.namespace,
            name: p.name,
            field: 'spec.containers',
            detail: 'istio-proxy is a regular container',
          })),
        );
      }
    }
    const annotation = pod.annotations[NATIVE_SIDECAR_ANNOTATION];
    if (annotation === 'true')
      return pass(
        `The pod template asks for a native sidecar (${NATIVE_SIDECAR_ANNOTATION}: "true"), which ends with the pod.`,
        evidence,
      );
    if (annotation === 'false') {
      return fail(
        `The pod template asks for a classic sidecar (${NATIVE_SIDECAR_ANNOTATION}: "false"), which keeps running after the Job's containers exit, so the Job never completes.`,
        evidence,
      );
    }
    const native = index.snapshot.environment?.nativeSidecars;
    if (native === true)
      return pass(
        'The target’s injector injects native sidecars, which end with the pod.',
        evidence,
      );
    if (native === false) {
      return fail(
        'The target’s injector injects classic sidecars: the proxy keeps running after the Job’s containers exit, so the Job never completes.',
        evidence,
      );
    }
    return unknown(
      'Whether the target’s injector injects native sidecars is unknown (Istio 1.28 and later do where every kubelet is 1.33 or newer); declare it with istio.nativeSidecars in the target profile, or annotate the pod template.',
      evidence,
    );
  },
};
