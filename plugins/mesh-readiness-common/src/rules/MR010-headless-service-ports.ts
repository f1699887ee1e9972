import { Evidence } from '../types';
import { containerPortsOf } from '../kube/containers';
import { nameOf } from '../kube/objects';
import { distinctPodViewsOf } from '../kube/workloads';
import { fail, pass, Rule, skip } from './rule';
import { servicePortsReaching, servicesUnreadable } from './servicePorts';

function isHeadless(service: { spec?: any }): boolean {
  return service.spec?.clusterIP === 'None';
}

/** MR010: a headless Service declares every port the pods serve. */
export const headlessServicePorts: Rule = {
  id: 'MR010',
  slug: 'headless-service-ports',
  title: 'Headless Services declare every served port',
  severity: 'warning',
  rationale:
    'For a headless Service the sidecar only captures the ports the Service declares, so traffic to an undeclared container port bypasses routing and mTLS.',
  remediation:
    'Add every container port the pods serve to the headless Service’s ports, named by protocol.',
  remediationSnippet: `spec:
  clusterIP: None
  ports:
    - name: tcp-peer
      port: 7000`,
  docsUrl: 'https://istio.io/latest/docs/ops/configuration/traffic-management/traffic-routing/#headless-services',
  onboardingOrder: 8,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;
    const missing = new Map<string, Evidence>();
    const headless = new Set<string>();
    for (const pod of distinctPodViewsOf(workload)) {
      if (!index.servicesSelecting(pod).some(isHeadless)) continue;
      const uses = servicePortsReaching(pod, index).filter(u => isHeadless(u.service));
      const services = new Set(index.servicesSelecting(pod).filter(isHeadless).map(nameOf));
      if (services.size === 0) continue;
      for (const s of services) headless.add(s);
      for (const served of containerPortsOf(pod)) {
        for (const service of services) {
          const declared = uses.some(
            u => u.serviceName === service && u.podPort === served.port && u.transport === served.protocol,
          );
          if (declared) continue;
          missing.set(`${service}/${served.port}/${served.protocol}`, {
            kind: 'Service',
            namespace: pod.namespace,
            name: service,
            field: 'spec.ports',
            detail: `does not declare port ${served.port}/${served.protocol} that container "${served.container.name}" serves`,
          });
        }
      }
    }
    if (headless.size === 0) return skip('No headless Service selects the workload.');
    if (missing.size > 0) {
      return fail(
        `Headless Service ${[...headless].map(s => `"${s}"`).join(', ')} misses ${missing.size} port${
          missing.size === 1 ? '' : 's'
        } the pods serve.`,
        [...missing.values()],
      );
    }
    return pass(`Headless Service ${[...headless].map(s => `"${s}"`).join(', ')} declares every port the pods serve.`);
  },
};
