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
  docsUrl:
    'https://istio.io/latest/docs/ops/configuration/traffic-management/traffic-routing/#headless-services',
  onboardingOrder: 8,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;
    const missing = new Map<string, Evidence>();
    const headless = new Set<string>();
    for (const pod of distinctPodViewsOf(workload)) {
      const services = index
        .servicesSelecting(pod)
        .filter(isHeadless)
        .map(nameOf);
      if (services.length === 0) continue;
      for (const s of services) headless.add(s);
      // The sidecar builds its listeners from the union of the ports of every
      // headless Service in front of the pod: one of them declaring a port is enough.
      const declared = new Set(
        servicePortsReaching(pod, index)
          .filter(u => isHeadless(u.service) && u.podPort !== undefined)
          .map(u => `${u.podPort}/${u.transport}`),
      );
      for (const served of containerPortsOf(pod)) {
        // The sidecar captures TCP only: an undeclared UDP or SCTP port is not lost to it.
        if (served.protocol !== 'TCP' || declared.has(`${served.port}/TCP`))
          continue;
        missing.set(`${served.port}`, {
          kind: workload.template.kind,
          namespace: pod.namespace,
          name: workload.template.name,
          field: served.path,
          detail: `container "${served.container.name}" serves ${
            served.port
          }/TCP, which no headless Service in front of it (${services
            .map(s => `"${s}"`)
            .join(', ')}) declares`,
        });
      }
    }
    if (headless.size === 0)
      return skip('No headless Service selects the workload.');
    const names = [...headless].map(s => `"${s}"`).join(', ');
    if (missing.size > 0) {
      return fail(
        `Headless Service ${names} misses ${missing.size} TCP port${
          missing.size === 1 ? '' : 's'
        } the pods serve.`,
        [...missing.values()],
      );
    }
    return pass(
      `Headless Service ${names} declares every TCP port the pods serve.`,
    );
  },
};
