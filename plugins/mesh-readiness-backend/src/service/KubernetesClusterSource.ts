/*
 * A live cluster, read through the Kubernetes plugin's proxy (see
 * KubernetesBackendClient): only the kinds the rules need, cluster-wide,
 * paginated, never one call per workload, never a Secret. Which URL, CA
 * and credential reach the cluster is the Kubernetes plugin's business.
 */
import { detectTargetProfile } from './detectTargetProfile';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import {
  ClusterEnvironment,
  ClusterSnapshot,
  findWorkloads,
  KubeObject,
  readFieldsOfEach,
  UnreadableKind,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import {
  KubernetesBackendClient,
  KubernetesCaller,
} from './KubernetesBackendClient';
import { AnswerBrokenOffError, readAnswerBody } from './readAnswerBody';
import { MalformedListError, readListItems } from './readListItems';

/**
 * How many objects one list call asks for: pages of 250 listed pods are
 * about 2.5 MB of JSON. Each object is parsed and cut down as its bytes
 * arrive (readListItems), so a page is never held whole. Larger pages
 * read no faster when they were parsed whole (yarn bench:scan-live).
 */
export const PAGE_SIZE = 250;

/** How often one list is started again after its `continue` token expired (410 Gone). */
export const MAX_LIST_RESTARTS = 3;

/**
 * The Kubernetes plugin's auth providers that use the signed-in user's own
 * credentials, sent by its frontend: a scheduled scan has no user, so it
 * cannot read these clusters.
 */
export const CLIENT_SIDE_AUTH_PROVIDERS: readonly string[] = [
  'google',
  'oidc',
  'aks',
];

/** The kinds read, and where each is listed cluster-wide. */
export const KINDS_READ: ReadonlyArray<[kind: string, path: string]> = [
  ['Namespace', '/api/v1/namespaces'],
  ['Pod', '/api/v1/pods'],
  ['Service', '/api/v1/services'],
  ['Deployment', '/apis/apps/v1/deployments'],
  ['StatefulSet', '/apis/apps/v1/statefulsets'],
  ['DaemonSet', '/apis/apps/v1/daemonsets'],
  ['ReplicaSet', '/apis/apps/v1/replicasets'],
  ['Job', '/apis/batch/v1/jobs'],
  ['CronJob', '/apis/batch/v1/cronjobs'],
  ['NetworkPolicy', '/apis/networking.k8s.io/v1/networkpolicies'],
];

/**
 * What a read keeps of each listed object: `read`, the fields the built-in
 * rules read (readFieldsOf, as each page arrives); `all`, everything, for
 * custom rules, which may read any field.
 */
export type KeptFields = 'read' | 'all';

const wholeObject = (item: KubeObject, kind: string): KubeObject => ({
  ...item,
  kind,
});

/** What a read needs of a listed Node: its kubelet's version (native sidecars). */
function nodeFieldsOf(node: KubeObject): KubeObject {
  return {
    kind: 'Node',
    metadata: { name: node.metadata?.name },
    status: {
      nodeInfo: { kubeletVersion: node.status?.nodeInfo?.kubeletVersion },
    },
  };
}

/** Where a cluster comes from, as users are shown it. */
export interface ClusterOrigin {
  /** The Kubernetes plugin's cluster locator (`config`, `catalog`, `gke`, ...) or what else found it. */
  locator: string;
  authProvider: string;
  oidcTokenProvider?: string;
}

export interface KubernetesClusterSourceOptions extends ClusterOrigin {
  name: string;
  client: KubernetesBackendClient;
  /** How many objects one list call asks for; PAGE_SIZE unless a test wants many pages. */
  pageSize?: number;
}

/** Thrown for a cluster whose auth provider needs the signed-in user's credentials when there are none. */
export class NeedsSignedInUserError extends Error {
  readonly name = 'NeedsSignedInUserError';
}

/** An answer that fails the whole cluster, with what the user needs to know and nothing secret. */
class ClusterReadError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/**
 * Why a kind cannot be read here, when the Kubernetes API itself (not the
 * Kubernetes plugin in front of it) answered that it may not be listed or
 * is not served.
 */
function kindProblem(status: number, body: any): string | undefined {
  if (body?.kind !== 'Status') return undefined;
  if (status === 403)
    return `forbidden (403): the cluster's identity may not list it`;
  if (status === 404) return `not served by this cluster (404)`;
  return undefined;
}

/**
 * The answer's JSON. An answer that claims success but is cut off (a server
 * going away mid-list) fails the cluster at once, not at its timeout.
 */
async function bodyOf(response: Response, what: string): Promise<any> {
  let text: string;
  try {
    text = await readAnswerBody(response);
  } catch (e) {
    if (!(e instanceof AnswerBrokenOffError)) throw e;
    throw new ClusterReadError(`${what}: ${e.message}`, response.status);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!response.ok) return undefined;
    throw new ClusterReadError(
      `${what}: the answer broke off (${(e as Error)?.message ?? e})`,
      response.status,
    );
  }
}

/**
 * A successful list answer, each item handed to `onItem` as it arrives
 * (readListItems): the rest of the page, with its `continue` token. An
 * answer that is cut off or not JSON fails the whole cluster at once.
 */
async function listPageOf(
  response: Response,
  what: string,
  onItem: (item: KubeObject) => void,
): Promise<any> {
  try {
    return await readListItems(response, onItem);
  } catch (e) {
    if (e instanceof AnswerBrokenOffError)
      throw new ClusterReadError(`${what}: ${e.message}`, response.status);
    if (e instanceof MalformedListError || e instanceof SyntaxError)
      throw new ClusterReadError(
        `${what}: the answer broke off (${e.message})`,
        response.status,
      );
    throw e;
  }
}

export class KubernetesClusterSource implements MeshReadinessClusterSource {
  readonly name: string;
  readonly origin: ClusterOrigin;
  private readonly client: KubernetesBackendClient;
  private readonly pageSize: number;

  constructor(options: KubernetesClusterSourceOptions) {
    this.name = options.name;
    this.client = options.client;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.origin = {
      locator: options.locator,
      authProvider: options.authProvider,
      ...(options.oidcTokenProvider
        ? { oidcTokenProvider: options.oidcTokenProvider }
        : {}),
    };
  }

  /** Whether reading needs a signed-in user's own credentials. */
  get needsSignedInUser(): boolean {
    return CLIENT_SIDE_AUTH_PROVIDERS.includes(this.origin.authProvider);
  }

  /** The header the Kubernetes plugin's frontend sends this cluster's user credential in. */
  get userCredentialHeader(): string {
    const provider = this.origin.oidcTokenProvider
      ? `${this.origin.authProvider}-${this.origin.oidcTokenProvider}`
      : this.origin.authProvider;
    return `backstage-kubernetes-authorization-${provider}`.toLowerCase();
  }

  /** A failed answer as the cluster's error: the Kubernetes plugin's own errors say what went wrong in its words. */
  private async failure(
    what: string,
    response: Response,
    body: any,
  ): Promise<ClusterReadError> {
    const status = response.status;
    const backstageError = body?.error?.message as string | undefined;
    if (backstageError) {
      // Its proxy wraps a network or TLS error (an unknown certificate, a refused connection) as the cause.
      const cause =
        typeof body.error.cause?.message === 'string'
          ? ` (${body.error.cause.message})`
          : '';
      return new ClusterReadError(
        `${what}: the Kubernetes plugin answered ${status}: ${backstageError}${cause}`,
        status,
      );
    }
    if (status === 401) {
      return new ClusterReadError(
        `${what}: the cluster refused the credentials of auth provider "${this.origin.authProvider}" (401), also after fetching fresh ones`,
        status,
      );
    }
    const message =
      typeof body?.message === 'string' ? `: ${body.message}` : '';
    return new ClusterReadError(
      `${what}: the cluster answered ${status}${message}`,
      status,
    );
  }

  /**
   * Every page of one list, following `continue`; a list whose token
   * expired (410 Gone) starts again. Each object is cut down (by a
   * `keepOf()` per list) as its bytes arrive, so that only what is kept
   * outlives it: a page is never held whole, as text or parsed.
   */
  private async listAll(
    kind: string,
    path: string,
    read: { signal?: AbortSignal; caller?: KubernetesCaller },
    unreadable: UnreadableKind[],
    keepOf: () => (item: KubeObject, kind: string) => KubeObject,
  ): Promise<KubeObject[]> {
    for (let restarts = 0; ; restarts++) {
      const items: KubeObject[] = [];
      const keep = keepOf();
      let token: string | undefined;
      let expired = false;
      do {
        const query = new URLSearchParams({
          limit: String(this.pageSize),
          ...(token ? { continue: token } : {}),
        });
        const response = await this.client.request(
          this.name,
          `${path}?${query}`,
          read,
        );
        if (!response.ok) {
          const body = await bodyOf(response, `listing ${kind}`);
          if (
            response.status === 410 &&
            token &&
            restarts < MAX_LIST_RESTARTS
          ) {
            // The list is older than etcd's compaction window: its pages no longer fit together.
            expired = true;
            break;
          }
          const problem = kindProblem(response.status, body);
          if (!problem)
            throw await this.failure(`listing ${kind}`, response, body);
          unreadable.push({ kind, reason: `${kind} ${problem}` });
          return [];
        }
        // List items carry no kind: each is kept as the list's kind, as it arrives.
        const page = await listPageOf(response, `listing ${kind}`, item =>
          items.push(keep(item, kind)),
        );
        token = page?.metadata?.continue || undefined;
      } while (token);
      if (!expired) return items;
    }
  }

  /** A snapshot of the cluster; `fields` says what is kept of each object (the fields rules read unless told). */
  async readSnapshot(
    options: {
      signal?: AbortSignal;
      caller?: KubernetesCaller;
      fields?: KeptFields;
    } = {},
  ): Promise<ClusterSnapshot> {
    if (
      this.needsSignedInUser &&
      !options.caller?.clusterAuthHeaders?.[this.userCredentialHeader]
    ) {
      throw new NeedsSignedInUserError(
        `needs a signed-in user: auth provider "${this.origin.authProvider}" uses each user's own credentials, ` +
          `which a scheduled scan does not have; a signed-in user's Scan now reads it with theirs`,
      );
    }
    const read = { signal: options.signal, caller: options.caller };
    const unreadable: UnreadableKind[] = [];
    const keep =
      options.fields === 'all' ? () => wholeObject : readFieldsOfEach;
    const lists = await Promise.all(
      KINDS_READ.map(([kind, path]) =>
        this.listAll(kind, path, read, unreadable, keep),
      ),
    );
    const objects = lists.flat();
    // Nodes only for their kubelet versions (native sidecars): not part of the snapshot.
    const nodesUnreadable: UnreadableKind[] = [];
    // Nodes only tell native sidecars apart: a cluster whose nodes cannot be listed is still read, native sidecars unknown.
    const nodes = await this.listAll(
      'Node',
      '/api/v1/nodes',
      read,
      nodesUnreadable,
      () => nodeFieldsOf,
    ).catch((e: Error) => {
      nodesUnreadable.push({ kind: 'Node', reason: `Node ${e.message}` });
      return [] as KubeObject[];
    });
    const psp = await this.podSecurityPolicies(objects, unreadable, read);
    return {
      cluster: this.name,
      source: 'live',
      objects,
      environment: {
        ...detectTargetProfile({
          objects,
          nodes: nodesUnreadable.length ? undefined : nodes,
          unreadable,
        }),
        ...psp,
      },
      unreadable,
    };
  }

  /** The policies one service account may `use`, or undefined when the cluster would not say. */
  private async policiesUsableBy(
    namespace: string,
    serviceAccount: string,
    policies: KubeObject[],
    read: { signal?: AbortSignal; caller?: KubernetesCaller },
  ): Promise<string[] | undefined> {
    const allowed: string[] = [];
    for (const policy of policies) {
      const name = String(policy.metadata?.name);
      const response = await this.client.request(
        this.name,
        '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        {
          ...read,
          method: 'POST',
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: `system:serviceaccount:${namespace}:${serviceAccount}`,
              groups: [
                'system:serviceaccounts',
                `system:serviceaccounts:${namespace}`,
                'system:authenticated',
              ],
              resourceAttributes: {
                verb: 'use',
                group: 'policy',
                resource: 'podsecuritypolicies',
                name,
              },
            },
          },
        },
      );
      const review = await bodyOf(response, 'SubjectAccessReview');
      if (!response.ok) {
        if (!kindProblem(response.status, review))
          throw await this.failure('SubjectAccessReview', response, review);
        return undefined;
      }
      if (review?.status?.allowed) allowed.push(name);
    }
    return allowed;
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
    read: { signal?: AbortSignal; caller?: KubernetesCaller },
  ): Promise<Pick<ClusterEnvironment, 'podSecurityPolicyApi' | 'pspUse'>> {
    // Discovery first: every authenticated user may read it, while a list of
    // a resource the server does not serve is still answered 403 to an
    // identity without rights (RBAC runs before routing).
    const discovery = await this.client.request(
      this.name,
      '/apis/policy/v1beta1',
      read,
    );
    const resources = await bodyOf(
      discovery,
      'PodSecurityPolicy API discovery',
    );
    if (discovery.status === 404 && resources?.kind === 'Status')
      return { podSecurityPolicyApi: false }; // 1.25+
    if (!discovery.ok) {
      const problem = kindProblem(discovery.status, resources);
      if (!problem)
        throw await this.failure(
          'PodSecurityPolicy API discovery',
          discovery,
          resources,
        );
      unreadable.push({
        kind: 'PodSecurityPolicy',
        reason: `PodSecurityPolicy API discovery ${problem}`,
      });
      return { podSecurityPolicyApi: true };
    }
    if (
      !(resources?.resources ?? []).some(
        (r: any) => r.name === 'podsecuritypolicies',
      )
    ) {
      return { podSecurityPolicyApi: false };
    }
    const policies = await this.listAll(
      'PodSecurityPolicy',
      '/apis/policy/v1beta1/podsecuritypolicies',
      read,
      unreadable,
      () => wholeObject,
    );
    if (unreadable.some(u => u.kind === 'PodSecurityPolicy'))
      return { podSecurityPolicyApi: true };
    objects.push(...policies);
    const accounts = new Map<
      string,
      { namespace: string; serviceAccount: string }
    >();
    for (const w of findWorkloads(objects)) {
      const spec = w.template.spec;
      const serviceAccount = String(
        spec.serviceAccountName || spec.serviceAccount || 'default',
      );
      accounts.set(`${w.namespace}/${serviceAccount}`, {
        namespace: w.namespace,
        serviceAccount,
      });
    }
    const pspUse: NonNullable<ClusterEnvironment['pspUse']> = [];
    for (const { namespace, serviceAccount } of accounts.values()) {
      const allowed = await this.policiesUsableBy(
        namespace,
        serviceAccount,
        policies,
        read,
      );
      // Without an answer the rule says unknown for this account.
      if (allowed)
        pspUse.push({ namespace, serviceAccount, policies: allowed });
    }
    return { podSecurityPolicyApi: true, pspUse };
  }
}
