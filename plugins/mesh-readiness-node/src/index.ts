/**
 * What other backend modules build on to extend Mesh Readiness.
 *
 * @packageDocumentation
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { ClusterSnapshot } from '@mesh-readiness/plugin-mesh-readiness-common';

/**
 * Where snapshots come from: a live cluster, a folder of manifests, or
 * anything a module adds. One source is shown as one cluster.
 *
 * @public
 */
export interface MeshReadinessClusterSource {
  /** The cluster name users see; unique across sources. */
  readonly name: string;
  /**
   * One consistent read of what the rules need. Throw when the cluster
   * cannot be read at all; kinds that cannot be read (a 403, a missing API)
   * belong in the snapshot's `unreadable` list instead. Must honour the
   * abort signal (the scan's timeout).
   */
  readSnapshot(options: { signal: AbortSignal }): Promise<ClusterSnapshot>;
}

/** @public */
export interface MeshReadinessClusterSourcesExtensionPoint {
  addClusterSource(...sources: MeshReadinessClusterSource[]): void;
}

/**
 * Lets a backend module add cluster sources to the Mesh Readiness plugin.
 *
 * @public
 */
export const meshReadinessClusterSourcesExtensionPoint =
  createExtensionPoint<MeshReadinessClusterSourcesExtensionPoint>({
    id: 'mesh-readiness.cluster-sources',
  });
