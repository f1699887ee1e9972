import { Evidence } from '../types';
import {
  containersOf,
  PROBE_KINDS,
  rewrittenHandlerOf,
} from '../kube/containers';
import { fail, pass, Rule, skip, workloadEvidence } from './rule';

const REWRITE_ANNOTATION = 'sidecar.istio.io/rewriteAppHTTPProbers';

/** Go's strconv.ParseBool false values, which Istio uses to read the annotation. */
const FALSE_VALUES = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

const HANDLER_NAMES = {
  httpGet: 'HTTP',
  grpc: 'gRPC',
  tcpSocket: 'TCP',
} as const;

/** MR011: HTTP probes keep working under mTLS. */
export const probeRewrite: Rule = {
  id: 'MR011',
  slug: 'probe-rewrite',
  title: 'HTTP, gRPC and TCP probes are rewritten by the sidecar',
  severity: 'info',
  rationale:
    'Under strict mTLS the kubelet’s plain HTTP and gRPC probes fail, and its TCP probes always succeed against the sidecar, unless the sidecar rewrites them to its agent, which it does by default.',
  remediation:
    'Remove sidecar.istio.io/rewriteAppHTTPProbers: "false" from the pod template, or use exec probes.',
  remediationSnippet: `metadata:
  annotations:
    sidecar.istio.io/rewriteAppHTTPProbers: "true"`,
  docsUrl:
    'https://istio.io/latest/docs/ops/configuration/mesh/app-health-check/#disable-the-http-probe-rewrite-for-a-pod',
  onboardingOrder: 10,
  check({ workload }) {
    const pod = workload.template;
    // Counted first: the evidence naming each probe is only written for a failure.
    const listProbes = (evidence?: Evidence[]) => {
      let count = 0;
      for (const c of containersOf(pod)) {
        for (const kind of PROBE_KINDS) {
          const handler = rewrittenHandlerOf(c.container[kind]);
          if (handler) {
            count++;
            evidence?.push(
              workloadEvidence(
                workload,
                `container "${c.name}" has a ${HANDLER_NAMES[handler]} ${kind}`,
                `${c.path}.${kind}.${handler}`,
              ),
            );
          }
        }
      }
      return count;
    };
    const count = listProbes();
    if (count === 0)
      return skip('The workload has no HTTP, gRPC or TCP probes.');
    const value = pod.annotations[REWRITE_ANNOTATION];
    if (value !== undefined && FALSE_VALUES.has(value.trim())) {
      const probes: Evidence[] = [];
      listProbes(probes);
      return fail(
        `Probe rewriting is off (${REWRITE_ANNOTATION}: "${value}"), so ${
          probes.length
        } probe${
          probes.length === 1 ? '' : 's'
        } (HTTP, gRPC or TCP) no longer tell whether the app is healthy under strict mTLS.`,
        probes,
      );
    }
    return pass(
      `The sidecar rewrites the workload’s ${count} HTTP, gRPC or TCP probe${
        count === 1 ? '' : 's'
      }.`,
    );
  },
};
