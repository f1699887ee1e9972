/**
 * What other backend modules build on to extend Mesh Readiness.
 *
 * @packageDocumentation
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  ClusterSnapshot,
  Rule,
} from '@mesh-readiness/plugin-mesh-readiness-common';

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

/**
 * A rule of the adopter's own, run after the built-in catalogue (MR001
 * onwards) on every workload of every cluster: its id (upper case, e.g.
 * `ACME001`), catalogue entry and `check`, which gets the workload and an
 * index of the cluster's snapshot and returns `pass`, `fail`, `skip` or
 * `unknown` with a message (the helpers of the common package build them).
 * A failing `error` rule makes the workload not ready, as built-in ones do.
 *
 * @public
 */
export type MeshReadinessRule = Rule;

/** @public */
export interface MeshReadinessRulesExtensionPoint {
  addRules(...rules: MeshReadinessRule[]): void;
}

/**
 * Lets a backend module add rules to the Mesh Readiness plugin. Rules are
 * checked when the plugin starts: a bad id, a duplicate or a missing
 * field stops the backend with a message naming the rule.
 *
 * @public
 */
export const meshReadinessRulesExtensionPoint =
  createExtensionPoint<MeshReadinessRulesExtensionPoint>({
    id: 'mesh-readiness.rules',
  });
