/*
 * Istio's protocol selection for one Service port
 * (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/).
 */

/** @public */
export type MeshProtocol =
  | 'TCP'
  | 'UDP'
  | 'GRPC'
  | 'GRPC-Web'
  | 'HTTP'
  | 'HTTP_PROXY'
  | 'HTTP2'
  | 'HTTPS'
  | 'TLS'
  | 'Mongo'
  | 'Redis'
  | 'MySQL';

const PREFIXES: Record<string, MeshProtocol> = {
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  http: 'HTTP',
  http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2',
  https: 'HTTPS',
  tls: 'TLS',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
};

/** Kubernetes' standard `appProtocol` values, mapped first. */
const KUBERNETES_APP_PROTOCOLS: Record<string, MeshProtocol> = {
  'kubernetes.io/h2c': 'HTTP2',
  'kubernetes.io/ws': 'HTTP',
  'kubernetes.io/wss': 'HTTPS',
};

/** Ports that Istio treats as TCP even when nothing names them. */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/**
 * The fields of a Service port that protocol selection reads.
 *
 * @public
 */
export interface ServicePortLike {
  name?: unknown;
  port?: unknown;
  protocol?: unknown;
  appProtocol?: unknown;
}

/** @public */
export interface ProtocolSelection {
  /** Undefined when Istio sniffs the protocol. */
  protocol?: MeshProtocol;
  /** How the protocol was decided, in words for the evidence. */
  source: 'protocol' | 'appProtocol' | 'name' | 'port' | 'none';
  /** True when the port states its protocol (MR006's sense). */
  explicit: boolean;
}

function fromName(name: string): MeshProtocol | undefined {
  if (name.toLowerCase().startsWith('grpc-web')) return 'GRPC-Web';
  const prefix = name.split('-')[0].toLowerCase();
  return Object.prototype.hasOwnProperty.call(PREFIXES, prefix)
    ? PREFIXES[prefix]
    : undefined;
}

/**
 * Decides the protocol of one Service port in Istio's order.
 *
 * @public
 */
export function selectProtocol(port: ServicePortLike): ProtocolSelection {
  if (
    typeof port.protocol === 'string' &&
    port.protocol.toUpperCase() === 'UDP'
  ) {
    return { protocol: 'UDP', source: 'protocol', explicit: true };
  }
  if (typeof port.appProtocol === 'string' && port.appProtocol !== '') {
    const app = port.appProtocol;
    const mapped = KUBERNETES_APP_PROTOCOLS[app.toLowerCase()] ?? fromName(app);
    if (mapped)
      return { protocol: mapped, source: 'appProtocol', explicit: true };
    return wellKnown(port);
  }
  if (typeof port.name === 'string' && port.name !== '') {
    const named = fromName(port.name);
    if (named) return { protocol: named, source: 'name', explicit: true };
  }
  return wellKnown(port);
}

function wellKnown(port: ServicePortLike): ProtocolSelection {
  const number = Number(port.port);
  if (WELL_KNOWN_TCP_PORTS.has(number)) {
    return { protocol: 'TCP', source: 'port', explicit: false };
  }
  return { source: 'none', explicit: false };
}

/** Layer-4 protocol of a port: UDP and TCP ports with one number differ. */
export function transportOf(protocol: unknown): 'TCP' | 'UDP' | 'SCTP' {
  if (typeof protocol === 'string') {
    const p = protocol.toUpperCase();
    if (p === 'UDP' || p === 'SCTP') return p;
  }
  return 'TCP';
}
