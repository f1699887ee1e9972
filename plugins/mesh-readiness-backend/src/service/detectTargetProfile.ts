/*
 * The target profile of a live cluster, detected from what it runs: the
 * Istio version from istiod's image tag (else its revision label), the CNI
 * node agent and ztunnel from their DaemonSets, native sidecars from
 * istiod's ENABLE_NATIVE_SIDECARS and the nodes' kubelet versions. What
 * cannot be seen stays undefined (unknown), never a guess.
 */
import {
  ClusterEnvironment,
  KubeObject,
  istioMinorVersion,
  UnreadableKind,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/** Kubelets from this version on run init containers with `restartPolicy: Always` as native sidecars Istio relies on. */
const NATIVE_SIDECAR_KUBELET: [number, number] = [1, 33];
/** From this Istio on, ENABLE_NATIVE_SIDECARS defaults to `auto` (native where every kubelet allows it). */
const NATIVE_SIDECAR_AUTO_ISTIO: [number, number] = [1, 28];

const atLeast = (v: [number, number], min: [number, number]) =>
  v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

function isIstiod(o: KubeObject): boolean {
  const name = o.metadata?.name ?? '';
  return (
    o.kind === 'Deployment' &&
    (name === 'istiod' ||
      name.startsWith('istiod-') ||
      o.metadata?.labels?.app === 'istiod')
  );
}

function discoveryContainer(
  istiod: KubeObject,
): Record<string, any> | undefined {
  const containers: any[] = istiod.spec?.template?.spec?.containers ?? [];
  return containers.find(c => c?.name === 'discovery') ?? containers[0];
}

/** `docker.io/istio/pilot:1.28.1-distroless` → `1.28.1`; a digest or `latest` tells nothing. */
function versionOfImage(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  const tag = image.split('@')[0].split('/').pop()?.split(':')[1];
  const match = tag ? /^v?(\d+\.\d+(?:\.\d+)?)/.exec(tag) : null;
  return match ? match[1] : undefined;
}

/** A revision named after its version (`1-28-1`, as istioctl's docs suggest) → `1.28.1`. */
function versionOfRevision(revision: unknown): string | undefined {
  const match =
    typeof revision === 'string'
      ? /^(\d+)-(\d+)(?:-(\d+))?$/.exec(revision)
      : null;
  return match ? match.slice(1).filter(Boolean).join('.') : undefined;
}

function versionOf(istiod: KubeObject): string | undefined {
  return (
    versionOfImage(discoveryContainer(istiod)?.image) ??
    versionOfRevision(istiod.metadata?.labels?.['istio.io/rev']) ??
    versionOfRevision(istiod.spec?.template?.metadata?.labels?.['istio.io/rev'])
  );
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++)
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Whether every node's kubelet runs native sidecars; undefined when the nodes could not be read. */
function kubeletsAllowNative(
  nodes: KubeObject[] | undefined,
): boolean | undefined {
  if (!nodes || nodes.length === 0) return undefined;
  let all = true;
  for (const node of nodes) {
    const version = istioMinorVersion(
      String(node.status?.nodeInfo?.kubeletVersion ?? '').replace(/^v/, ''),
    );
    if (!version) return undefined;
    if (!atLeast(version, NATIVE_SIDECAR_KUBELET)) all = false;
  }
  return all;
}

export interface DetectionInput {
  /** The snapshot's objects: Deployments (istiod) and DaemonSets are read. */
  objects: KubeObject[];
  /** The cluster's Nodes, or undefined when they could not be listed. */
  nodes?: KubeObject[];
  unreadable: UnreadableKind[];
}

/** The cluster's target profile as the rules read it. */
export function detectTargetProfile({
  objects,
  nodes,
  unreadable,
}: DetectionInput): ClusterEnvironment {
  const env: ClusterEnvironment = {};
  const cannotRead = (kind: string) => unreadable.some(u => u.kind === kind);
  if (!cannotRead('DaemonSet')) {
    const daemonSets = new Set(
      objects.filter(o => o.kind === 'DaemonSet').map(o => o.metadata?.name),
    );
    env.istioCni = daemonSets.has('istio-cni-node');
    env.ambient = daemonSets.has('ztunnel');
  }
  if (cannotRead('Deployment')) return env;
  const istiods = objects.filter(isIstiod);
  // Several revisions side by side: the oldest decides what is safe to rely on.
  const versions = istiods.map(versionOf);
  const known = versions
    .filter((v): v is string => v !== undefined)
    .sort(compareVersions);
  if (known.length > 0 && known.length === versions.length)
    env.istioVersion = known[0];

  const settings = istiods.map(d => {
    const variable = (discoveryContainer(d)?.env ?? []).find(
      (e: any) => e?.name === 'ENABLE_NATIVE_SIDECARS',
    );
    if (variable === undefined) return undefined;
    return typeof variable.value === 'string'
      ? variable.value.toLowerCase()
      : 'unreadable';
  });
  if (istiods.length === 0) return env;
  const decide = (
    setting: string | undefined,
    version: string | undefined,
  ): boolean | undefined => {
    if (setting === 'true') return true;
    if (setting === 'false') return false;
    const minor = istioMinorVersion(version);
    if (
      setting === undefined &&
      minor &&
      !atLeast(minor, NATIVE_SIDECAR_AUTO_ISTIO)
    )
      return false;
    if (setting === 'auto' || (setting === undefined && minor))
      return kubeletsAllowNative(nodes);
    return undefined; // from a ConfigMap or Secret, or a version we cannot tell
  };
  const decisions = istiods.map((_, i) => decide(settings[i], versions[i]));
  if (decisions.every(d => d === true)) env.nativeSidecars = true;
  else if (decisions.every(d => d === false)) env.nativeSidecars = false;
  return env;
}
