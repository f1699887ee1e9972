/*
 * A live cluster, read through the Kubernetes API with
 * @kubernetes/client-node: only the kinds the rules need, cluster-wide,
 * paginated, never one call per workload, never a Secret.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import { detectTargetProfile } from './detectTargetProfile';
import { Config } from '@backstage/config';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import {
  ClusterEnvironment,
  ClusterSnapshot,
  findWorkloads,
  KubeObject,
  UnreadableKind,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/**
 * Where `kubectl proxy` listens by default (it binds 127.0.0.1, not ::1),
 * the cluster of the `localKubectlProxy` locator.
 */
export const LOCAL_KUBECTL_PROXY_URL = 'http://127.0.0.1:8001';

/** How many objects one list call asks for. */
export const PAGE_SIZE = 500;

export interface LiveClusterOptions {
  name: string;
  url: string;
  /** A service account token; never logged, stored or returned. */
  token?: string;
  caData?: string;
  skipTLSVerify?: boolean;
}

type Page = { items?: any[]; metadata?: { _continue?: string; continue?: string } };
type Lister = (params: { limit: number; _continue?: string }) => Promise<Page>;

/** Kubernetes answers that mean "this kind cannot be read here", not "the cluster is down". */
function kindProblem(e: any): string | undefined {
  const code = e?.code ?? e?.statusCode ?? e?.response?.statusCode;
  if (code === 403) return `forbidden (403): the cluster's service account may not list it`;
  if (code === 404) return `not served by this cluster (404)`;
  return undefined;
}

export class KubernetesClusterSource implements MeshReadinessClusterSource {
  readonly name: string;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly authorization: AuthorizationV1Api;

  constructor(options: LiveClusterOptions) {
    this.name = options.name;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: options.name, server: options.url, caData: options.caData, skipTLSVerify: !!options.skipTLSVerify },
      ],
      users: [{ name: 'mesh-readiness', token: options.token }],
      contexts: [{ name: options.name, cluster: options.name, user: 'mesh-readiness' }],
      currentContext: options.name,
    });
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.networking = kc.makeApiClient(NetworkingV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.authorization = kc.makeApiClient(AuthorizationV1Api);
  }

  /**
   * The clusters of the Kubernetes plugin's `config` cluster locator, with
   * service account auth, and the kubectl proxy of its `localKubectlProxy`
   * locator. Entries of its `catalog` locator are returned as they are:
   * their clusters are looked up in the catalog when a scan starts
   * (CatalogClusterLocator). Others are skipped with the reason returned.
   */
  static fromKubernetesConfig(config: Config): {
    sources: KubernetesClusterSource[];
    skipped: string[];
    catalogLocators: Config[];
  } {
    const sources: KubernetesClusterSource[] = [];
    const skipped: string[] = [];
    const catalogLocators: Config[] = [];
    for (const locator of config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []) {
      const type = locator.getString('type');
      if (type === 'catalog') {
        catalogLocators.push(locator);
        continue;
      }
      if (type === 'localKubectlProxy') {
        // As the Kubernetes plugin names and reaches it: no credentials, kubectl proxy does the auth.
        // Plain HTTP has no TLS to verify; client-node refuses HTTP unless told so.
        sources.push(new KubernetesClusterSource({ name: 'local', url: LOCAL_KUBECTL_PROXY_URL, skipTLSVerify: true }));
        continue;
      }
      if (type !== 'config') {
        skipped.push(`cluster locator "${type}" is not read by mesh-readiness yet`);
        continue;
      }
      for (const cluster of locator.getOptionalConfigArray('clusters') ?? []) {
        const name = cluster.getString('name');
        const auth = cluster.getOptionalString('authProvider') ?? 'serviceAccount';
        if (auth !== 'serviceAccount') {
          skipped.push(`cluster ${name}: auth provider "${auth}" is not supported by mesh-readiness yet`);
          continue;
        }
        sources.push(
          new KubernetesClusterSource({
            name,
            url: cluster.getString('url'),
            token: cluster.getOptionalString('serviceAccountToken'),
            caData: cluster.getOptionalString('caData'),
            skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify'),
          }),
        );
      }
    }
    return { sources, skipped, catalogLocators };
  }

  /** Every page of one list, following `continue`. */
  private async listAll(kind: string, list: Lister, unreadable: UnreadableKind[], objects: KubeObject[]) {
    let token: string | undefined;
    try {
      do {
        const page = await list({ limit: PAGE_SIZE, ...(token ? { _continue: token } : {}) });
        for (const item of page.items ?? []) objects.push({ ...item, kind });
        token = page.metadata?._continue ?? page.metadata?.continue;
      } while (token);
    } catch (e) {
      const problem = kindProblem(e);
      if (!problem) throw e; // unreachable, timed out, unauthorised: the cluster fails
      unreadable.push({ kind, reason: `${kind} ${problem}` });
    }
  }

  async readSnapshot(): Promise<ClusterSnapshot> {
    const objects: KubeObject[] = [];
    const unreadable: UnreadableKind[] = [];
    const lists: Array<[string, Lister]> = [
      ['Namespace', p => this.core.listNamespace(p)],
      ['Pod', p => this.core.listPodForAllNamespaces(p)],
      ['Service', p => this.core.listServiceForAllNamespaces(p)],
      ['Deployment', p => this.apps.listDeploymentForAllNamespaces(p)],
      ['StatefulSet', p => this.apps.listStatefulSetForAllNamespaces(p)],
      ['DaemonSet', p => this.apps.listDaemonSetForAllNamespaces(p)],
      ['ReplicaSet', p => this.apps.listReplicaSetForAllNamespaces(p)],
      ['Job', p => this.batch.listJobForAllNamespaces(p)],
      ['CronJob', p => this.batch.listCronJobForAllNamespaces(p)],
      ['NetworkPolicy', p => this.networking.listNetworkPolicyForAllNamespaces(p)],
    ];
    // Nodes only for their kubelet versions (native sidecars): not part of the snapshot.
    const nodes: KubeObject[] = [];
    const nodesUnreadable: UnreadableKind[] = [];
    await Promise.all([
      ...lists.map(([kind, list]) => this.listAll(kind, list, unreadable, objects)),
      this.listAll('Node', p => this.core.listNode(p), nodesUnreadable, nodes),
    ]);
    const psp = await this.podSecurityPolicies(objects, unreadable);
    return {
      cluster: this.name,
      source: 'live',
      objects,
      environment: {
        ...detectTargetProfile({ objects, nodes: nodesUnreadable.length ? undefined : nodes, unreadable }),
        ...psp,
      },
      unreadable,
    };
  }

  /**
   * Where the cluster still serves pod security policies (before 1.25):
   * the policies, and for each service account the workloads use, which
   * policies it may `use`, asked as SubjectAccessReviews exactly as
   * `kubectl auth can-i use psp/NAME --as=system:serviceaccount:NS:SA`.
   * One review per service account and policy, never per workload.
   */
  private async podSecurityPolicies(
    objects: KubeObject[],
    unreadable: UnreadableKind[],
  ): Promise<Pick<ClusterEnvironment, 'podSecurityPolicyApi' | 'pspUse'>> {
    // Discovery first: every authenticated user may read it, while a list of
    // a resource the server does not serve is still answered 403 to an
    // identity without rights (RBAC runs before routing).
    try {
      const resources = await this.custom.getAPIResources({ group: 'policy', version: 'v1beta1' });
      if (!(resources?.resources ?? []).some((r: any) => r.name === 'podsecuritypolicies')) {
        return { podSecurityPolicyApi: false };
      }
    } catch (e) {
      if ((e as any)?.code === 404) return { podSecurityPolicyApi: false }; // Kubernetes 1.25+
      const problem = kindProblem(e);
      if (!problem) throw e;
      unreadable.push({ kind: 'PodSecurityPolicy', reason: `PodSecurityPolicy API discovery ${problem}` });
      return { podSecurityPolicyApi: true };
    }
    let policies: KubeObject[];
    try {
      const list = await this.custom.listClusterCustomObject({
        group: 'policy',
        version: 'v1beta1',
        plural: 'podsecuritypolicies',
      });
      policies = (list?.items ?? []).map((p: any) => ({ ...p, kind: 'PodSecurityPolicy' }));
    } catch (e) {
      const problem = kindProblem(e);
      if (!problem) throw e;
      unreadable.push({ kind: 'PodSecurityPolicy', reason: `PodSecurityPolicy ${problem}` });
      return { podSecurityPolicyApi: true };
    }
    objects.push(...policies);
    const accounts = new Map<string, { namespace: string; serviceAccount: string }>();
    for (const w of findWorkloads(objects)) {
      const spec = w.template.spec;
      const serviceAccount = String(spec.serviceAccountName || spec.serviceAccount || 'default');
      accounts.set(`${w.namespace}/${serviceAccount}`, { namespace: w.namespace, serviceAccount });
    }
    const pspUse: NonNullable<ClusterEnvironment['pspUse']> = [];
    for (const { namespace, serviceAccount } of accounts.values()) {
      const allowed: string[] = [];
      try {
        for (const policy of policies) {
          const name = String(policy.metadata?.name);
          const review = await this.authorization.createSubjectAccessReview({
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'SubjectAccessReview',
              spec: {
                user: `system:serviceaccount:${namespace}:${serviceAccount}`,
                groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
                resourceAttributes: { verb: 'use', group: 'policy', resource: 'podsecuritypolicies', name },
              },
            },
          });
          if (review.status?.allowed) allowed.push(name);
        }
        pspUse.push({ namespace, serviceAccount, policies: allowed });
      } catch (e) {
        // Without an answer the rule says unknown for this account.
        if (!kindProblem(e)) throw e;
      }
    }
    return { podSecurityPolicyApi: true, pspUse };
  }
}
