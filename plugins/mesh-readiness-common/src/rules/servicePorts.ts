/*
 * The Service ports that reach a workload's pods, with their protocols:
 * shared by MR002, MR006, MR007 and MR010.
 */
import { KubeObject } from '../types';
import { resolveTargetPort } from '../kube/containers';
import { asPortNumber, asString, forEachRecord, nameOf } from '../kube/objects';
import {
  ProtocolSelection,
  selectProtocol,
  transportOf,
} from '../kube/protocol';
import { SnapshotIndex } from '../kube/snapshotIndex';
import { distinctPodViewsOf, PodView, Workload } from '../kube/workloads';
import { RuleOutcome, unknown } from './rule';

export interface ServicePortUse {
  service: KubeObject;
  serviceName: string;
  index: number;
  name?: string;
  port?: number;
  transport: 'TCP' | 'UDP' | 'SCTP';
  selection: ProtocolSelection;
  /** The pod port it reaches on this pod, when it reaches one. */
  podPort?: number;
  /** The named targetPort that was resolved, if it was a name. */
  targetName?: string;
  /** The pod's shape (see PodView): it gives the namespace, never a pod's name. */
  pod: PodView;
}

/** Rules that read Services cannot decide when Services could not be read. */
export function servicesUnreadable(
  workload: Workload,
  index: SnapshotIndex,
): RuleOutcome | undefined {
  const reason = index.unreadable('Service', workload.namespace);
  return reason
    ? unknown(`Services could not be read: ${reason.reason}`)
    : undefined;
}

/** Protocol selection depends on the Service port alone: decide it once. */
const selections = new WeakMap<object, ProtocolSelection>();
function protocolOf(port: Record<string, any>): ProtocolSelection {
  let selection = selections.get(port);
  if (!selection) {
    selection = selectProtocol(port);
    selections.set(port, selection);
  }
  return selection;
}

/** Every port of every Service selecting the pod, resolved against it. */
export function servicePortsReaching(
  pod: PodView,
  index: SnapshotIndex,
): ServicePortUse[] {
  return index.perPod(pod, 'servicePorts', resolveServicePorts);
}

/** Every Service port reaching any of the workload's pods, pod by distinct pod. */
export function servicePortsReachingWorkload(
  workload: Workload,
  index: SnapshotIndex,
): ServicePortUse[] {
  const views = distinctPodViewsOf(workload);
  return views.length === 1
    ? servicePortsReaching(views[0], index)
    : views.flatMap(pod => servicePortsReaching(pod, index));
}

function resolveServicePorts(
  pod: PodView,
  index: SnapshotIndex,
): ServicePortUse[] {
  const uses: ServicePortUse[] = [];
  for (const service of index.servicesSelecting(pod)) {
    forEachRecord(service.spec?.ports, (raw, i) => {
      const target = resolveTargetPort(raw, pod);
      uses.push({
        service,
        serviceName: nameOf(service),
        index: i,
        name: asString(raw.name),
        port: asPortNumber(raw.port),
        transport: transportOf(raw.protocol),
        selection: protocolOf(raw),
        podPort: target?.port,
        targetName: target?.portName,
        pod,
      });
    });
  }
  return uses;
}

export function describePort(use: ServicePortUse): string {
  const name = use.name ? ` "${use.name}"` : ' (unnamed)';
  return `port${name} ${use.port ?? '?'}/${use.transport}`;
}

const PROTOCOL_SOURCES: Record<ProtocolSelection['source'], string> = {
  protocol: 'from protocol: UDP',
  appProtocol: 'from appProtocol',
  name: 'from the port name',
  port: 'from the port number',
  none: '',
};

export function describeProtocol(selection: ProtocolSelection): string {
  if (!selection.protocol) return 'unspecified (sniffed)';
  return `${selection.protocol} (${PROTOCOL_SOURCES[selection.source]})`;
}
