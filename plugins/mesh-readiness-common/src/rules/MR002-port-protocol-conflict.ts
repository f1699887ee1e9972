import { Evidence } from '../types';
import { fail, istioAnalyzer, pass, Rule, skip } from './rule';
import {
  describePort,
  describeProtocol,
  ServicePortUse,
  servicePortsReachingWorkload,
  servicesUnreadable,
} from './servicePorts';

function evidenceOf(use: ServicePortUse): Evidence {
  return {
    kind: 'Service',
    namespace: use.pod.namespace,
    name: use.serviceName,
    field: `spec.ports[${use.index}]`,
    detail: `${describePort(use)} → pod port ${use.podPort ?? '?'}${
      use.targetName ? ` (named "${use.targetName}")` : ''
    } as ${describeProtocol(use.selection)}`,
  };
}

/** Groups explicit protocol uses by a key and returns the groups that disagree. */
function conflictsBy(
  uses: ServicePortUse[],
  keyOf: (u: ServicePortUse) => string | undefined,
) {
  const groups = new Map<string, ServicePortUse[]>();
  for (const use of uses) {
    const key = keyOf(use);
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), use]);
  }
  return [...groups].filter(
    ([, group]) => new Set(group.map(u => u.selection.protocol)).size > 1,
  );
}

/** Up to this many Service ports, pairs are compared directly instead of grouped. */
const SMALL = 32;

function isExplicit(u: ServicePortUse): boolean {
  return !!(u.selection.protocol && u.selection.explicit);
}

/**
 * Whether two explicit uses share a pod port or a Service port (with its
 * transport) but not the protocol: what conflictsBy finds, without its maps.
 */
function hasConflict(uses: ServicePortUse[]): boolean {
  for (let i = 0; i < uses.length; i++) {
    const a = uses[i];
    if (!isExplicit(a)) continue;
    for (let j = 0; j < i; j++) {
      const b = uses[j];
      if (
        !isExplicit(b) ||
        a.transport !== b.transport ||
        a.selection.protocol === b.selection.protocol
      )
        continue;
      if (a.podPort !== undefined && a.podPort === b.podPort) return true;
      if (a.port !== undefined && a.port === b.port) return true;
    }
  }
  return false;
}

/** The passing outcome: how many Service ports, from how many Services. */
function agreement(uses: ServicePortUse[]) {
  let ports = 0;
  let services = 0;
  if (uses.length > SMALL) {
    services = new Set(uses.map(u => u.serviceName)).size;
    ports = new Set(uses.map(u => `${u.serviceName}/${u.index}`)).size;
  }
  for (let i = 0; i < uses.length && uses.length <= SMALL; i++) {
    let newPort = true;
    let newService = true;
    for (let j = 0; j < i && (newPort || newService); j++) {
      if (uses[j].serviceName !== uses[i].serviceName) continue;
      newService = false;
      if (uses[j].index === uses[i].index) newPort = false;
    }
    if (newPort) ports++;
    if (newService) services++;
  }
  return pass(
    `${ports} Service port${ports === 1 ? '' : 's'} from ${services} Service${
      services === 1 ? '' : 's'
    } agree on every port’s protocol.`,
  );
}

/** The distinct protocols of a group, sorted, as words. */
function protocolsOf(group: ServicePortUse[]): string {
  const protocols = [...new Set(group.map(u => u.selection.protocol))];
  // The usual two, ordered as sort() orders strings, without its copy.
  if (
    protocols.length === 2 &&
    typeof protocols[0] === 'string' &&
    typeof protocols[1] === 'string'
  ) {
    return protocols[0] < protocols[1]
      ? `${protocols[0]} and ${protocols[1]}`
      : `${protocols[1]} and ${protocols[0]}`;
  }
  return protocols.sort().join(' and ');
}

/** MR002: no port is reached, or declared, with two different protocols. */
export const portProtocolConflict: Rule = {
  id: 'MR002',
  slug: 'port-protocol-conflict',
  title: 'No port is used with two protocols',
  severity: 'error',
  rationale:
    'When several Services select the same pods, Istio configures one listener per pod port, so one port number declared as two protocols (say HTTP and TCP) breaks traffic to one of them.',
  remediation:
    'Give every Service port that reaches the same pod port, or shares a port number, the same protocol in its name or appProtocol.',
  remediationSnippet: `# both Services reach pod port 8080 as HTTP
ports:
  - name: http-web
    port: 80
    targetPort: 8080`,
  docsUrl:
    'https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-requirements',
  istioAnalyzer: istioAnalyzer(
    'IST0116',
    'DeploymentAssociatedToMultipleServices',
  ),
  onboardingOrder: 4,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;

    const uses = servicePortsReachingWorkload(workload, index);
    if (uses.length === 0) {
      return skip('No Service port reaches the workload’s pods.');
    }
    // Most workloads have a handful of Service ports that agree: decide that
    // without grouping, and group (below) only when some port disagrees.
    if (uses.length <= SMALL && !hasConflict(uses)) return agreement(uses);
    // An unspecified protocol conflicts with nothing (MR006 warns about it).
    const explicit = uses.filter(
      u => u.selection.protocol && u.selection.explicit,
    );
    const byPodPort = conflictsBy(explicit, u =>
      u.podPort === undefined ? undefined : `${u.podPort}/${u.transport}`,
    );
    const byServicePort = conflictsBy(explicit, u =>
      u.port === undefined ? undefined : `${u.port}/${u.transport}`,
    );
    const messages = new Set<string>();
    const evidence = new Map<string, Evidence>();
    for (const [key, group] of byPodPort) {
      const protocols = protocolsOf(group);
      messages.add(`Pod port ${key} is reached as ${protocols}.`);
      for (const u of group)
        evidence.set(`${u.serviceName}/${u.index}`, evidenceOf(u));
    }
    for (const [key, group] of byServicePort) {
      const protocols = protocolsOf(group);
      messages.add(`Service port ${key} is declared as ${protocols}.`);
      for (const u of group)
        evidence.set(`${u.serviceName}/${u.index}`, evidenceOf(u));
    }
    if (messages.size > 0)
      return fail([...messages].join(' '), [...evidence.values()]);

    return agreement(uses);
  },
};
