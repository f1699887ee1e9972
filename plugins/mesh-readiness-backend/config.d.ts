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
    }>;
    /** How often every cluster is scanned, in minutes. Default 10. */
    scanIntervalMinutes?: number;
    /** How long one cluster's read may take before it counts as failed, in seconds. Default 60. */
    clusterTimeoutSeconds?: number;
  };
}
