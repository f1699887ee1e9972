import { Evidence, KubeObject } from '../types';
import {
  containersOf,
  PROBE_KINDS,
  resolveProbePort,
} from '../kube/containers';
import { injectionOf } from '../kube/dataPlaneMode';
import { labelSelectorMatches } from '../kube/labels';
import { asArray, asPortNumber, isRecord, nameOf } from '../kube/objects';
import { fail, pass, Rule, skip, unknown } from './rule';

/** ztunnel's HBONE port, and the address the kubelet's probes reach an ambient pod from. */
const HBONE_PORT = 15008;
const PROBE_SOURCE = '169.254.7.127';

interface PortRef {
  port: number;
  name?: string;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function cidrContains(cidr: unknown, address: string): boolean {
  if (typeof cidr !== 'string') return false;
  const [base, bits] = cidr.split('/');
  const prefix = bits === undefined ? 32 : Number(bits);
  const network = ipv4(base);
  const ip = ipv4(address);
  if (
    network === undefined ||
    ip === undefined ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > 32
  )
    return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(network / size) === Math.floor(ip / size);
}

/** Whether an ingress rule's `ports` admit a TCP port (no ports: every port). */
function admitsPort(rule: Record<string, any>, target: PortRef): boolean {
  const ports = asArray(rule.ports);
  if (ports.length === 0) return true;
  return ports.some(p => {
    if (!isRecord(p)) return false;
    if (typeof p.protocol === 'string' && p.protocol.toUpperCase() !== 'TCP')
      return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string' && !/^\d+$/.test(p.port))
      return p.port === target.name;
    const start = asPortNumber(Number(p.port));
    const end = asPortNumber(p.endPort) ?? start;
    return (
      start !== undefined &&
      end !== undefined &&
      target.port >= start &&
      target.port <= end
    );
  });
}

/** Whether an ingress rule's `from` admits an address (no peers: every source). */
function admitsAddress(rule: Record<string, any>, address: string): boolean {
  const from = asArray(rule.from);
  if (from.length === 0) return true;
  return from.some(
    peer =>
      isRecord(peer) &&
      isRecord(peer.ipBlock) &&
      cidrContains(peer.ipBlock.cidr, address) &&
      !asArray(peer.ipBlock.except).some(e => cidrContains(e, address)),
  );
}

/** A rule that admits only the kubelet's probe address: the kubelet speaks no HBONE. */
function onlyProbeSource(rule: Record<string, any>): boolean {
  const from = asArray(rule.from);
  return (
    from.length > 0 &&
    from.every(
      peer =>
        isRecord(peer) &&
        isRecord(peer.ipBlock) &&
        peer.ipBlock.cidr === `${PROBE_SOURCE}/32`,
    )
  );
}

const sameJson = (a: unknown, b: unknown) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/** Whether a policy restricts the ingress of the pods it selects. */
function restrictsIngress(policy: KubeObject): boolean {
  const types = asArray(policy.spec?.policyTypes).map(String);
  // Without policyTypes every policy restricts ingress (egress only when it has egress rules).
  return types.length === 0 || types.includes('Ingress');
}

/** MR015: NetworkPolicies in front of an ambient pod admit HBONE and the kubelet's probes. */
export const ambientNetworkPolicy: Rule = {
  id: 'MR015',
  slug: 'ambient-network-policy',
  title: 'NetworkPolicies admit ambient’s HBONE and probes',
  severity: 'error',
  readsDataPlaneMode: true,
  rationale:
    'In ambient mode ztunnel carries traffic between pods as HBONE on port 15008 and the kubelet’s probes arrive from 169.254.7.127, and NetworkPolicy is enforced outside the pod, so a policy that limits ingress without admitting both drops the traffic and fails the probes.',
  remediation:
    'In every NetworkPolicy that selects the pods and limits ingress, admit TCP 15008 from the peers it admits, and 169.254.7.127/32 on the probe ports.',
  remediationSnippet: `ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports:
      - {port: 8080, protocol: TCP}
      - {port: 15008, protocol: TCP}
  - from: [{ipBlock: {cidr: 169.254.7.127/32}}]
    ports: [{port: 8080, protocol: TCP}]`,
  docsUrl:
    'https://istio.io/latest/docs/ambient/usage/networkpolicy/#ambient-traffic-overlay-and-kubernetes-networkpolicy',
  onboardingOrder: 13,
  check({ workload, index, mode }) {
    const decision = injectionOf(workload, index, mode);
    if (decision.state === 'unknown')
      return unknown(
        `Whether the workload runs in ambient mode is unknown: ${decision.reason}.`,
      );
    if (decision.state !== 'ambient')
      return skip('The workload does not run in ambient mode.');
    const unreadable = index.unreadable('NetworkPolicy', workload.namespace);
    if (unreadable)
      return unknown(`NetworkPolicies could not be read: ${unreadable.reason}`);
    const pod = workload.template;
    const policies = index
      .networkPolicies(workload.namespace)
      .filter(
        p =>
          restrictsIngress(p) &&
          labelSelectorMatches(
            isRecord(p.spec?.podSelector) ? p.spec.podSelector : {},
            pod.labels,
          ),
      );
    if (policies.length === 0)
      return skip(
        'No NetworkPolicy restricts the ingress of the workload’s pods.',
      );

    const probes: PortRef[] = [];
    for (const c of containersOf(pod)) {
      for (const kind of PROBE_KINDS) {
        const probe = c.container[kind];
        if (!isRecord(probe)) continue;
        const resolved = resolveProbePort(probe, c);
        if (!resolved) continue;
        const named = asArray(c.container.ports).find(
          p => isRecord(p) && asPortNumber(p.containerPort) === resolved.port,
        );
        probes.push({
          port: resolved.port,
          name: resolved.portName ?? (isRecord(named) ? named.name : undefined),
        });
      }
    }
    const evidence: Evidence[] = [];
    for (const policy of policies) {
      const rules = asArray(policy.spec?.ingress).filter(isRecord);
      const hbone = { port: HBONE_PORT };
      // Every peer the policy admits must reach 15008 too: a rule admitting the same (or every) peer on it.
      const blocked = rules.filter(
        r =>
          !onlyProbeSource(r) &&
          !rules.some(
            other =>
              (asArray(other.from).length === 0 ||
                sameJson(other.from, r.from)) &&
              admitsPort(other, hbone),
          ),
      );
      const unprobed = probes.filter(
        p =>
          !rules.some(r => admitsAddress(r, PROBE_SOURCE) && admitsPort(r, p)),
      );
      const problems: string[] = [];
      if (blocked.length > 0)
        problems.push(
          `admits peers on ${blocked.length} ingress rule${
            blocked.length === 1 ? '' : 's'
          } but not on TCP ${HBONE_PORT} (HBONE)`,
        );
      if (unprobed.length > 0) {
        problems.push(
          `does not admit ${PROBE_SOURCE}/32 on probe port${
            unprobed.length === 1 ? '' : 's'
          } ${[...new Set(unprobed.map(p => p.port))].join(', ')}`,
        );
      }
      if (problems.length > 0) {
        evidence.push({
          kind: 'NetworkPolicy',
          namespace: workload.namespace,
          name: nameOf(policy),
          field: 'spec.ingress',
          detail: problems.join('; '),
        });
      }
    }
    if (evidence.length > 0) {
      return fail(
        `${evidence.length} NetworkPolicy${
          evidence.length === 1 ? '' : ' objects'
        } in front of the ambient pods would drop ztunnel’s traffic or the kubelet’s probes: ${evidence
          .map(e => `"${e.name}" ${e.detail}`)
          .join('; ')}.`,
        evidence,
      );
    }
    return pass(
      `${policies.length} NetworkPolicy${
        policies.length === 1 ? '' : ' objects'
      } in front of the ambient pods admit${
        policies.length === 1 ? 's' : ''
      } HBONE (TCP ${HBONE_PORT}) and the kubelet’s probes.`,
    );
  },
};
