import { Evidence } from '../types';
import {
  containerPortsOf,
  containersOf,
  PROBE_KINDS,
  resolveProbePort,
} from '../kube/containers';
import { isRecord } from '../kube/objects';
import { SnapshotIndex } from '../kube/snapshotIndex';
import { PodView, podViewsOf } from '../kube/workloads';
import { injectionOf } from '../kube/dataPlaneMode';
import { fail, pass, Rule, skip } from './rule';
import { servicePortsReaching } from './servicePorts';

/** Ports the sidecar takes inside the pod. */
export const RESERVED_PORTS = new Set([
  15000, 15001, 15002, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090,
]);

/**
 * Ports ztunnel listens on inside an ambient pod's network namespace
 * (Istio's cni/pkg/config: outbound, inbound plaintext, inbound HBONE, DNS
 * capture, which is on by default); the rest of the sidecar's ports are free.
 */
const AMBIENT_RESERVED_PORTS = new Set([15001, 15006, 15008, 15053]);

/** The ports taken inside the pod, and by whom, for the data plane the workload runs (or would run) with. */
interface Reservation {
  ports: Set<number>;
  by: 'the sidecar' | 'ztunnel in ambient mode';
  /** Per-shape cache key: the two sets give different answers. */
  key: string;
}
const SIDECAR: Reservation = {
  ports: RESERVED_PORTS,
  by: 'the sidecar',
  key: 'reservedPorts',
};
const AMBIENT: Reservation = {
  ports: AMBIENT_RESERVED_PORTS,
  by: 'ztunnel in ambient mode',
  key: 'reservedPorts/ambient',
};

/**
 * On live pods the injector rewrites HTTP probes to the Istio agent under
 * /app-health/ (port 15020, or 15021 in some releases).
 */
function isRewrittenProbe(probe: Record<string, any>, port: number): boolean {
  return (
    (port === 15020 || port === 15021) &&
    isRecord(probe.httpGet) &&
    typeof probe.httpGet.path === 'string' &&
    probe.httpGet.path.startsWith('/app-health/')
  );
}

interface ReservedUse {
  key: string;
  port: number;
  /** The Service the evidence names; the pod itself when absent. */
  service?: string;
  field: string;
  detail: string;
}

/**
 * How many ports a pod uses (container ports, Service targets, probes) and
 * which are reserved: the same for every pod of one shape, so decided once;
 * only the evidence naming the pod is written per pod.
 */
function portUsesOf(
  pod: PodView,
  index: SnapshotIndex,
  taken: Reservation,
): { checked: number; reserved: ReservedUse[] } {
  return index.perPod(pod, taken.key, (shape, idx) =>
    reservedPortsOf(shape, idx, taken.ports),
  );
}

function reservedPortsOf(
  shape: PodView,
  index: SnapshotIndex,
  taken: Set<number>,
): { checked: number; reserved: ReservedUse[] } {
  let checked = 0;
  const reserved: ReservedUse[] = [];
  for (const p of containerPortsOf(shape)) {
    checked++;
    if (!taken.has(p.port)) continue;
    reserved.push({
      key: `container/${p.container.name}/${p.port}`,
      port: p.port,
      field: p.path,
      detail: `container "${p.container.name}" declares port ${p.port}`,
    });
  }
  for (const use of servicePortsReaching(shape, index)) {
    if (use.podPort === undefined) continue;
    checked++;
    if (!taken.has(use.podPort)) continue;
    reserved.push({
      key: `service/${use.serviceName}/${use.index}`,
      port: use.podPort,
      service: use.serviceName,
      field: `spec.ports[${use.index}].targetPort`,
      detail: `targets pod port ${use.podPort}${
        use.targetName ? ` (named "${use.targetName}")` : ''
      }`,
    });
  }
  for (const c of containersOf(shape)) {
    for (const probeKind of PROBE_KINDS) {
      const probe = c.container[probeKind];
      if (!isRecord(probe)) continue;
      const resolved = resolveProbePort(probe, c);
      if (!resolved) continue;
      if (
        shape.source === 'pod' &&
        index.isLive &&
        isRewrittenProbe(probe, resolved.port)
      )
        continue;
      checked++;
      if (!taken.has(resolved.port)) continue;
      reserved.push({
        key: `probe/${c.name}/${probeKind}`,
        port: resolved.port,
        field: `${c.path}.${probeKind}.${resolved.handler}.port`,
        detail: `container "${c.name}" ${probeKind} uses port ${resolved.port}${
          resolved.portName ? ` (named "${resolved.portName}")` : ''
        }`,
      });
    }
  }
  return { checked, reserved };
}

/** MR007: the workload leaves the sidecar's ports alone. */
export const reservedPorts: Rule = {
  id: 'MR007',
  slug: 'reserved-ports',
  title: 'No port collides with the sidecar’s ports',
  severity: 'error',
  rationale:
    'The sidecar listens on ports 15000 to 15090 inside the pod; an application port, Service target or probe on one of them collides with Envoy or the Istio agent.',
  remediation:
    'Move the application’s container ports, Service targetPorts and probes off 15000, 15001, 15002, 15004, 15006, 15008, 15009, 15020, 15021, 15053 and 15090.',
  docsUrl:
    'https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio',
  ambient:
    'Only the ports ztunnel listens on inside the pod are taken (15001, 15006, 15008 and 15053); the sidecar’s admin, agent, health and telemetry ports are free.',
  onboardingOrder: 7,
  readsDataPlaneMode: true,
  check({ workload, index, mode }) {
    const taken =
      injectionOf(workload, index, mode).state === 'ambient'
        ? AMBIENT
        : SIDECAR;
    const evidence = new Map<string, Evidence>();
    let checked = 0;
    const reserved = new Set<number>();
    const views = podViewsOf(workload);
    for (let run = 0; run < views.length; ) {
      // A run of pods of one shape uses the same ports: the first pod places
      // each piece of evidence, the last one's replaces it, so only the last
      // pod of the run is written (as writing each in turn would leave).
      let end = run + 1;
      while (end < views.length && views[end].shape === views[run].shape) end++;
      const pod = views[end - 1];
      const uses = portUsesOf(pod, index, taken);
      checked += uses.checked * (end - run);
      run = end;
      for (const hit of uses.reserved) {
        reserved.add(hit.port);
        evidence.set(
          hit.key,
          hit.service === undefined
            ? {
                kind: pod.source === 'template' ? workload.kind : 'Pod',
                namespace: pod.namespace,
                name: pod.name,
                field: hit.field,
                detail: hit.detail,
              }
            : {
                kind: 'Service',
                namespace: pod.namespace,
                name: hit.service,
                field: hit.field,
                detail: hit.detail,
              },
        );
      }
    }
    if (checked === 0) {
      return skip(
        'The workload declares no container ports, probes or Service targets.',
      );
    }
    if (evidence.size > 0) {
      const ports = [...reserved].sort((a, b) => a - b);
      return fail(
        `The workload uses port${ports.length === 1 ? '' : 's'} ${ports.join(
          ', ',
        )}, reserved for ${taken.by}.`,
        [...evidence.values()],
      );
    }
    return pass(
      `None of the ${checked} ports the workload uses is reserved for ${taken.by}.`,
    );
  },
};
