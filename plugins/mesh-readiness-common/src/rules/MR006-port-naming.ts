import { Evidence } from '../types';
import { fail, istioAnalyzer, pass, Rule, skip } from './rule';
import {
  describePort,
  describeProtocol,
  ServicePortUse,
  servicePortsReachingWorkload,
  servicesUnreadable,
} from './servicePorts';

/**
 * One use per Service port (`Service/index`), in the order first seen, the
 * last seen winning: as a Map keyed by them, without the keys for few ports.
 */
function uniquePorts(uses: ServicePortUse[]): ServicePortUse[] {
  if (uses.length > 32)
    return [
      ...new Map(uses.map(u => [`${u.serviceName}/${u.index}`, u])).values(),
    ];
  const unique: ServicePortUse[] = [];
  for (const use of uses) {
    const at = unique.findIndex(
      u => u.serviceName === use.serviceName && u.index === use.index,
    );
    if (at === -1) unique.push(use);
    else unique[at] = use;
  }
  return unique;
}

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
  docsUrl:
    'https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/#explicit-protocol-selection',
  istioAnalyzer: istioAnalyzer('IST0118', 'PortNameIsNotUnderNamingConvention'),
  onboardingOrder: 5,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;
    const uses = servicePortsReachingWorkload(workload, index);
    if (uses.length === 0) return skip('No Service port selects the workload.');

    const unique = uniquePorts(uses);
    const implicit: Evidence[] = [];
    for (const use of unique) {
      // Ports 25, 53, 3306 and 27017 are TCP by number: Istio does not sniff them, nor warn (IST0118).
      if (use.selection.explicit || use.selection.source === 'port') continue;
      implicit.push({
        kind: 'Service',
        namespace: workload.namespace,
        name: use.serviceName,
        field: `spec.ports[${use.index}]`,
        detail: `${describePort(use)}: protocol ${describeProtocol(
          use.selection,
        )}`,
      });
    }
    if (implicit.length > 0) {
      return fail(
        `${implicit.length} of ${unique.length} Service port${
          unique.length === 1 ? '' : 's'
        } declare${
          implicit.length === 1 ? 's' : ''
        } no protocol by name or appProtocol.`,
        implicit,
      );
    }
    return pass(
      `Every Service port declares its protocol: ${unique
        .map(
          u =>
            `${u.serviceName}:${u.port ?? '?'} ${u.selection.protocol}${
              u.selection.source === 'port' ? ' (TCP by port number)' : ''
            }`,
        )
        .join(', ')}.`,
    );
  },
};
