import { Evidence } from '../types';
import { distinctPodViewsOf } from '../kube/workloads';
import { fail, istioAnalyzer, pass, Rule, skip } from './rule';
import { describePort, describeProtocol, servicePortsReaching, servicesUnreadable } from './servicePorts';

/** MR006: every Service port states its protocol. */
export const portNaming: Rule = {
  id: 'MR006',
  slug: 'port-naming',
  title: 'Service ports declare their protocol',
  severity: 'warning',
  rationale:
    'Istio routes a port by its protocol; a port without appProtocol or a <protocol>[-<suffix>] name falls back to protocol sniffing, which loses HTTP routing for server-first protocols and adds latency.',
  remediation:
    'Name each Service port <protocol>[-<suffix>] (http-web, grpc, tcp-db) or set appProtocol.',
  remediationSnippet: `ports:
  - name: http-web   # or: appProtocol: http
    port: 80
    targetPort: 8080`,
  docsUrl: 'https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/#explicit-protocol-selection',
  istioAnalyzer: istioAnalyzer('IST0118', 'PortNameIsNotUnderNamingConvention'),
  onboardingOrder: 5,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;
    const uses = distinctPodViewsOf(workload).flatMap(pod => servicePortsReaching(pod, index));
    if (uses.length === 0) return skip('No Service port selects the workload.');

    const unique = new Map(uses.map(u => [`${u.serviceName}/${u.index}`, u]));
    const implicit: Evidence[] = [];
    for (const use of unique.values()) {
      if (use.selection.explicit) continue;
      implicit.push({
        kind: 'Service',
        namespace: workload.namespace,
        name: use.serviceName,
        field: `spec.ports[${use.index}]`,
        detail: `${describePort(use)}: protocol ${describeProtocol(use.selection)}`,
      });
    }
    if (implicit.length > 0) {
      return fail(
        `${implicit.length} of ${unique.size} Service port${unique.size === 1 ? '' : 's'} declare${
          implicit.length === 1 ? 's' : ''
        } no protocol by name or appProtocol.`,
        implicit,
      );
    }
    return pass(
      `Every Service port declares its protocol: ${[...unique.values()]
        .map(u => `${u.serviceName}:${u.port ?? '?'} ${u.selection.protocol}`)
        .join(', ')}.`,
    );
  },
};
