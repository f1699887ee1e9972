import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the Mesh Readiness backend plugin. */
  meshReadiness?: {
    /**
     * Folders of Kubernetes YAML (kubectl or Helm output) read as clusters.
     * Relative folders are resolved against the directory the backend runs
     * in, then against its parents (so `examples/...` works from
     * packages/backend in development).
     */
    manifestSources?: Array<{
      /** The cluster name users see. */
      name: string;
      /** The folder to read, recursively (.yaml, .yml, .json). */
      path: string;
      /** Whether the Istio CNI plugin is installed on the cluster this folder stands for. */
      istioCni?: boolean;
      /** Whether the cluster this folder stands for runs Istio in ambient mode. */
      ambient?: boolean;
      /**
       * A target profile file (the CLI's `--target` format: Istio version,
       * cni, ambient, nativeSidecars, namespace labels). By default the
       * folder's own `.mesh-readiness.yaml`, when it has one.
       */
      target?: string;
    }>;
    /** How often every cluster is scanned, in minutes. Default 10. Ignored when `schedule` is set. */
    scanIntervalMinutes?: number;
    /**
     * Each cluster's schedule (every cluster is its own scheduler task), as
     * Backstage schedules are configured elsewhere (`frequency`, `timeout`,
     * `initialDelay`, `scope`). The timeout is how long one cluster's read
     * may hold its task: when a backend stops mid-read, another replica
     * reads the cluster once it has passed. Default: every
     * `scanIntervalMinutes`, a timeout of twice `clusterTimeoutSeconds` and
     * at least 5 minutes.
     */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    /** How clusters are read. */
    scan?: {
      /**
       * How many clusters one backend replica reads at once; each read
       * holds that cluster's snapshot in memory, so this bounds a replica's
       * memory, whatever the number of clusters. A whole number, at least 1.
       * Default 4. Replicas sharing a database share the clusters: one whose
       * slots are all taken hands the cluster on at once to the next replica
       * to look, and the replicas take turns reading each cluster.
       */
      concurrency?: number;
    };
    /** How long one cluster's read may take before it counts as failed, in seconds. Default 60. */
    clusterTimeoutSeconds?: number;
    /**
     * Notices to components' owners through Backstage's notifications
     * backend (which must be installed): a regression found by a scan, and
     * a waiver that runs out within 7 days. Each is sent once, whichever
     * replica finds it.
     */
    notifications?: {
      /** Send them. Default false. */
      enabled?: boolean;
      /** The path of the Mesh Readiness tab under an entity's page, for the notices' links. Default `mesh-readiness`. */
      tabPath?: string;
    };
  };
}
