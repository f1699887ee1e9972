import { Evidence } from '../types';
import { containerPortsOf } from '../kube/containers';
import { distinctPodViewsOf } from '../kube/workloads';
import { fail, kialiValidation, pass, Rule, skip } from './rule';
import {
  describePort,
  servicePortsReaching,
  servicesUnreadable,
} from './servicePorts';

/** MR014: every Service port targets a port the containers declare. */
export const targetPorts: Rule = {
  id: 'MR014',
  slug: 'target-ports',
  title: 'Service ports target declared container ports',
  severity: 'warning',
  rationale:
    'A named targetPort that no container declares gives the Service no endpoints on these pods, and a numeric one that no container declares leaves Istio without the port’s protocol and container: both usually mean a typo or a port that moved.',
  remediation:
    'Point each Service port’s targetPort at a containerPort (by number or by its name) that the workload’s containers declare.',
  remediationSnippet: `# Service
ports:
  - name: http
    port: 80
    targetPort: http   # names this container port:
# Deployment
ports:
  - name: http
    containerPort: 8080`,
  docsUrl:
    'https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-requirements',
  kiali: kialiValidation(
    'KIA0701',
    'Deployment exposing same port as Service not found',
  ),
  onboardingOrder: 15,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;
    const missing = new Map<string, Evidence>();
    let count = 0;
    for (const pod of distinctPodViewsOf(workload)) {
      const declared = new Set(
        containerPortsOf(pod).map(p => `${p.port}/${p.protocol}`),
      );
      for (const use of servicePortsReaching(pod, index)) {
        count++;
        const target = use.service.spec?.ports?.[use.index]?.targetPort;
        const key = `${use.serviceName}/${use.index}`;
        if (
          use.podPort === undefined &&
          typeof target === 'string' &&
          target !== '' &&
          !/^\d+$/.test(target)
        ) {
          missing.set(key, {
            kind: 'Service',
            namespace: workload.namespace,
            name: use.serviceName,
            field: `spec.ports[${use.index}].targetPort`,
            detail: `${describePort(
              use,
            )} targets "${target}", a port name no container declares: the Service gets no endpoints on these pods`,
          });
        } else if (
          use.podPort !== undefined &&
          !declared.has(`${use.podPort}/${use.transport}`)
        ) {
          missing.set(key, {
            kind: 'Service',
            namespace: workload.namespace,
            name: use.serviceName,
            field: `spec.ports[${use.index}]`,
            detail: `${describePort(use)} targets ${use.podPort}/${
              use.transport
            }, which no container declares`,
          });
        }
      }
    }
    if (count === 0) return skip('No Service port selects the workload.');
    if (missing.size > 0) {
      return fail(
        `${missing.size} Service port${missing.size === 1 ? '' : 's'} target${
          missing.size === 1 ? 's' : ''
        } a port no container declares.`,
        [...missing.values()],
      );
    }
    return pass('Every Service port targets a port the containers declare.');
  },
};
