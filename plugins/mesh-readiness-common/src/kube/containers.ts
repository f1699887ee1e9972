/*
 * Containers and ports of a pod, with named ports resolved.
 */
import {
  asArray,
  asPortNumber,
  asString,
  forEachRecord,
  isRecord,
} from './objects';
import { PodView } from './workloads';

/** Containers that Istio injects: never the application's own. */
export const ISTIO_CONTAINERS = new Set([
  'istio-proxy',
  'istio-init',
  'istio-validation',
]);

export type ContainerGroup =
  | 'containers'
  | 'initContainers'
  | 'ephemeralContainers';

export interface ContainerRef {
  group: ContainerGroup;
  index: number;
  name: string;
  container: Record<string, any>;
  /** Field path for evidence, e.g. `spec.template.spec.containers[0]`. */
  path: string;
}

/** Containers by pod shape: minus Istio's own, and all of them. */
const applicationContainers = new WeakMap<PodView, ContainerRef[]>();
const allContainers = new WeakMap<PodView, ContainerRef[]>();

/** Every container of the pod, init and ephemeral too, minus Istio's own unless asked. */
export function containersOf(
  pod: PodView,
  options?: { includeIstio?: boolean },
): ContainerRef[] {
  const includeIstio = options?.includeIstio === true;
  const cache = includeIstio ? allContainers : applicationContainers;
  let refs = cache.get(pod.shape);
  if (!refs) {
    refs = listContainers(pod.shape, includeIstio);
    cache.set(pod.shape, refs);
  }
  return refs;
}

const CONTAINER_GROUPS = [
  'containers',
  'initContainers',
  'ephemeralContainers',
] as const;

function listContainers(pod: PodView, includeIstio: boolean): ContainerRef[] {
  const refs: ContainerRef[] = [];
  for (const group of CONTAINER_GROUPS) {
    forEachRecord(pod.spec[group], (container, index) => {
      const name = asString(container.name) ?? `#${index}`;
      if (!includeIstio && ISTIO_CONTAINERS.has(name)) return;
      refs.push({
        group,
        index,
        name,
        container,
        path: `${pod.specPath}.${group}[${index}]`,
      });
    });
  }
  return refs;
}

/** Containers that serve traffic: regular ones and native sidecars. */
export function servingContainersOf(pod: PodView): ContainerRef[] {
  return containersOf(pod).filter(
    c =>
      c.group === 'containers' ||
      (c.group === 'initContainers' && c.container.restartPolicy === 'Always'),
  );
}

export interface ContainerPort {
  container: ContainerRef;
  port: number;
  name?: string;
  protocol: string;
  path: string;
}

const containerPorts = new WeakMap<PodView, ContainerPort[]>();

export function containerPortsOf(pod: PodView): ContainerPort[] {
  let ports = containerPorts.get(pod.shape);
  if (!ports) {
    ports = listContainerPorts(pod.shape);
    containerPorts.set(pod.shape, ports);
  }
  return ports;
}

function listContainerPorts(pod: PodView): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const c of servingContainersOf(pod)) {
    forEachRecord(c.container.ports, (p, i) => {
      const port = asPortNumber(p.containerPort);
      if (port === undefined) return;
      ports.push({
        container: c,
        port,
        name: asString(p.name),
        protocol: asString(p.protocol)?.toUpperCase() ?? 'TCP',
        path: `${c.path}.ports[${i}]`,
      });
    });
  }
  return ports;
}

export interface ResolvedPort {
  port: number;
  /** The container whose named port was used, when it was a name. */
  container?: string;
  /** The name that was resolved, when it was a name. */
  portName?: string;
}

/**
 * The pod port a Service port reaches: `targetPort` as a number, or a
 * container port's name resolved on the pod's containers; `port` when
 * absent. Undefined when a name resolves nowhere (Kubernetes then sends no
 * traffic from that Service port to this pod).
 */
export function resolveTargetPort(
  servicePort: Record<string, any>,
  pod: PodView,
): ResolvedPort | undefined {
  const target = servicePort.targetPort;
  // Kubernetes defaults an absent or zero targetPort to `port`, and Istio reads it the same way.
  if (
    target === undefined ||
    target === null ||
    target === '' ||
    target === 0 ||
    target === '0'
  ) {
    const port = asPortNumber(servicePort.port);
    return port === undefined ? undefined : { port };
  }
  const numeric = asPortNumber(target);
  if (numeric !== undefined) return { port: numeric };
  if (typeof target !== 'string') return undefined;
  const named = containerPortsOf(pod).find(p => p.name === target);
  return named
    ? { port: named.port, container: named.container.name, portName: target }
    : undefined;
}

/** A probe's port, with a named one resolved on the probe's own container. */
export function resolveProbePort(
  probe: Record<string, any>,
  container: ContainerRef,
): { port: number; handler: string; portName?: string } | undefined {
  for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    const action = probe[handler];
    if (!isRecord(action)) continue;
    const numeric = asPortNumber(action.port);
    if (numeric !== undefined) return { port: numeric, handler };
    if (typeof action.port === 'string') {
      const named = asArray(container.container.ports).find(
        p => isRecord(p) && p.name === action.port,
      );
      const port = named ? asPortNumber(named.containerPort) : undefined;
      if (port !== undefined) return { port, handler, portName: action.port };
    }
  }
  return undefined;
}

export const PROBE_KINDS = [
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
] as const;

/** Probe handlers the sidecar rewrites to its agent (Istio's pkg/kube/inject/app_probe.go). */
export const REWRITTEN_PROBE_HANDLERS = [
  'httpGet',
  'grpc',
  'tcpSocket',
] as const;
export type ProbeHandler = (typeof REWRITTEN_PROBE_HANDLERS)[number];

/** The handler of a probe the sidecar rewrites, if it has one: the kubelet runs only the first it finds. */
export function rewrittenHandlerOf(probe: unknown): ProbeHandler | undefined {
  if (!isRecord(probe)) return undefined;
  return REWRITTEN_PROBE_HANDLERS.find(h => isRecord(probe[h]));
}
