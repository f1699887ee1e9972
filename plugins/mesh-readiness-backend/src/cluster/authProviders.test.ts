/*
 * The Kubernetes plugin's own auth strategies, end to end against the real
 * API server of `yarn test:cluster`: its webhook token authenticator
 * (tokenWebhook.ts) accepts what each strategy produces and maps it to a
 * user with its own RBAC. A config of the four server-side providers
 * adopters use (aws, googleServiceAccount, azure, serviceAccount) and one
 * client-side (oidc): every cluster is attempted with its own provider and
 * read with its own identity's rights; no token reaches a response or a
 * log line.
 *
 * Google's and Azure's SDKs get their tokens from the cloud's metadata
 * endpoint, as on a GKE or AKS node (Workload Identity, managed identity),
 * here a loopback stand-in at the address each SDK takes from the
 * environment (__testUtils__/cloudMetadataServers.ts); then, with a
 * service account key and a service principal, from Google's and Entra
 * ID's own token hosts, reached through an HTTPS proxy that stands in for
 * them (__testUtils__/cloudTokenProxy.ts).
 * Skipped when no control plane is up.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EntityReadinessResponse,
  ScansResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { adminClient } from './adminClient';
import { awsPresignedIdentity, startTokenWebhook } from './tokenWebhook';
import { capturingLogger } from './__testUtils__/capturingLogger';
import {
  startAzureImdsServer,
  startGceMetadataServer,
} from './__testUtils__/cloudMetadataServers';
import {
  mappedComponent,
  startMeshReadinessBackend,
} from './__testUtils__/meshReadinessBackend';
import { startCloudTokenProxy } from './__testUtils__/cloudTokenProxy';
import {
  entraTokenEndpoint,
  googleServiceAccountKey,
  googleTokenEndpoint,
} from './__testUtils__/cloudTokenEndpoints';

const server = process.env.MR_KUBE_SERVER;
const describeCluster =
  server && process.env.MR_KUBE_TOKEN_WEBHOOK_PORT ? describe : describe.skip;

// Fake static AWS credentials: presigning is offline, nothing calls AWS.
const AWS_KEY_ID = 'AKIAMRTEST0000000001';
const AWS_SECRET = `mr-test-secret-${randomBytes(8).toString('hex')}`;
const OIDC_ID_TOKEN = `oidc-id-token-${randomBytes(12).toString('hex')}`;
// What the metadata stand-ins hand out, shaped as Google's and Entra ID's access tokens start.
const GOOGLE_ACCESS_TOKEN = `ya29.mr-test-${randomBytes(12).toString('hex')}`;
const AZURE_ACCESS_TOKEN = `eyJ0eXAiOiJKV1QifQ.mr-test-${randomBytes(
  12,
).toString('hex')}`;
// What the HTTPS stand-ins of Google's and Entra ID's token hosts hand out for a key and a service principal.
const GOOGLE_KEY_TOKEN = `ya29.mr-test-key-${randomBytes(12).toString('hex')}`;
const AZURE_APP_TOKEN = `eyJ0eXAiOiJKV1QifQ.mr-test-app-${randomBytes(
  12,
).toString('hex')}`;
/** The AKS AAD server application: the audience the Kubernetes plugin's Azure strategy asks a token for. */
const AKS_SERVER_APP = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** Every environment variable that would make the Google or Azure SDK look elsewhere than the metadata endpoint. */
const CLOUD_ENV = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GCE_METADATA_IP',
  'METADATA_SERVER_DETECTION',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_USERNAME',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_TOKEN_CREDENTIALS',
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'MSI_ENDPOINT',
  'IMDS_ENDPOINT',
];

describeCluster(
  'the Kubernetes plugin’s auth providers, against a real API server',
  () => {
    const suffix = randomBytes(4).toString('hex');
    const ns = `mr-it-auth-${suffix}`;
    const seenTokens = new Set<string>();
    const saved = { ...process.env };
    const home = mkdtempSync(join(tmpdir(), 'mr-auth-home-'));
    let webhook: Awaited<ReturnType<typeof startTokenWebhook>>;
    let gce: Awaited<ReturnType<typeof startGceMetadataServer>>;
    let imds: Awaited<ReturnType<typeof startAzureImdsServer>>;

    beforeAll(async () => {
      gce = await startGceMetadataServer(GOOGLE_ACCESS_TOKEN);
      imds = await startAzureImdsServer(AZURE_ACCESS_TOKEN);
      for (const name of CLOUD_ENV) delete process.env[name];
      Object.assign(process.env, {
        // No developer's gcloud, az or aws files: a HOME of its own.
        HOME: home,
        AWS_ACCESS_KEY_ID: AWS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: AWS_SECRET,
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        GCE_METADATA_HOST: gce.host,
        // As a GKE deployment usually sets it; without it the SDK runs `gcloud` for the project on every token.
        GOOGLE_CLOUD_PROJECT: 'mr-test-project',
        AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://${imds.host}`,
      });
      webhook = await startTokenWebhook(token => {
        seenTokens.add(token);
        // EKS: the presigned STS URL of the access key, a user with every right.
        if (awsPresignedIdentity(token, AWS_KEY_ID, 'us-east-1'))
          return { username: 'mr-aws', groups: ['system:masters'] };
        // GKE: the service account's access token, bound to the restricted reader (no DaemonSets).
        if (token === GOOGLE_ACCESS_TOKEN || token === GOOGLE_KEY_TOKEN)
          return { username: `mr-gke-${suffix}` };
        // AKS: the managed identity's token, with a role that may not list Services.
        if (token === AZURE_ACCESS_TOKEN || token === AZURE_APP_TOKEN)
          return { username: `mr-aks-${suffix}` };
        // The signed-in user's id token: the restricted reader (no DaemonSets).
        if (token === OIDC_ID_TOKEN) return { username: 'mr-restricted' };
        return undefined;
      });
      const client = adminClient();
      const read = (apiGroups: string[], resources: string[]) => ({
        apiGroups,
        resources,
        verbs: ['get', 'list', 'watch'],
      });
      const bind = (user: string, role: string) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: user },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: role,
        },
        subjects: [
          { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user },
        ],
      });
      await client.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: `mr-aks-${suffix}` },
        rules: [
          read([''], ['namespaces', 'pods', 'nodes']),
          read(
            ['apps'],
            ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
          ),
          read(['batch'], ['jobs', 'cronjobs']),
          read(['networking.k8s.io'], ['networkpolicies']),
        ],
      } as any);
      await client.create(bind(`mr-aks-${suffix}`, `mr-aks-${suffix}`) as any);
      await client.create(
        bind(`mr-gke-${suffix}`, 'mr-restricted-reader') as any,
      );
      await client.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      } as any);
      await client.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'web',
          namespace: ns,
          labels: {
            'backstage.io/kubernetes-id': ns,
            app: 'web',
            version: 'v1',
          },
        },
        spec: { containers: [{ name: 'web', image: 'web:1' }] },
      } as any);
    }, 60_000);

    afterAll(async () => {
      process.env = saved;
      rmSync(home, { recursive: true, force: true });
      await webhook?.close();
      await gce?.close();
      await imds?.close();
    });

    const at = (name: string, rest: Record<string, unknown>) => ({
      name,
      url: server,
      caData: process.env.MR_KUBE_CA_DATA,
      ...rest,
    });
    const byName = (scans: ScansResponse) =>
      Object.fromEntries(scans.clusters.map(c => [c.cluster, c]));
    /** The messages of a report's errors on one cluster. */
    const errorsOf = (report: EntityReadinessResponse, cluster: string) =>
      report.errors
        .filter(e => e.cluster === cluster)
        .map(e => e.message)
        .join('\n');

    it('attempts every cluster with its own provider and reads each with its own identity’s rights', async () => {
      const { lines: logs, factory: loggerFactory } = capturingLogger();

      const portal = await startMeshReadinessBackend({
        services: [loggerFactory],
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                at('eks', { authProvider: 'aws' }),
                at('gke', { authProvider: 'googleServiceAccount' }),
                at('aks', { authProvider: 'azure' }),
                at('plain', {
                  authProvider: 'serviceAccount',
                  serviceAccountToken: process.env.MR_KUBE_ADMIN_TOKEN,
                }),
                at('sso', { authProvider: 'oidc', oidcTokenProvider: 'okta' }),
              ],
            },
          ],
        },
        meshReadiness: { clusterTimeoutSeconds: 20 },
        entities: [mappedComponent(ns)],
      });
      const { get } = portal;
      try {
        const responses = [
          await get('/entities/component/default/web?refresh=true'),
        ];
        responses.push(await get('/scans'));
        const first = byName(responses[1].body);
        expect(Object.keys(first).sort()).toEqual([
          'aks',
          'eks',
          'gke',
          'plain',
          'sso',
        ]);
        for (const [name, provider] of [
          ['eks', 'aws'],
          ['gke', 'googleServiceAccount'],
          ['aks', 'azure'],
          ['plain', 'serviceAccount'],
          ['sso', 'oidc'],
        ]) {
          expect(first[name]).toMatchObject({
            locator: 'config',
            authProvider: provider,
            attemptedAt: expect.any(String),
          });
        }
        // AWS: the strategy's presigned token, accepted by the webhook as mr-aws.
        expect(first.eks).toMatchObject({ status: 'ok' });
        expect(webhook.reviewed).toContainEqual({
          accepted: true,
          as: 'mr-aws',
        });
        expect(first.plain).toMatchObject({ status: 'ok' });
        // Google and Azure: each SDK fetched its token from the metadata endpoint, as on GKE and AKS, and it was accepted.
        expect(first.gke).toMatchObject({ status: 'ok' });
        expect(first.aks).toMatchObject({ status: 'ok' });
        expect(gce.asked.map(a => a.path)).toContain(
          '/computeMetadata/v1/instance/service-accounts/default/token',
        );
        expect(imds.asked).toContainEqual(
          expect.objectContaining({
            path: expect.stringMatching(
              /^\/metadata\/identity\/oauth2\/token\/?$/,
            ),
            query: expect.objectContaining({ resource: AKS_SERVER_APP }),
          }),
        );
        expect(webhook.reviewed).toContainEqual({
          accepted: true,
          as: `mr-gke-${suffix}`,
        });
        expect(webhook.reviewed).toContainEqual({
          accepted: true,
          as: `mr-aks-${suffix}`,
        });
        // Client-side auth: not read without a user, and said so.
        expect(first.sso).toMatchObject({
          status: 'error',
          needsSignedInUser: true,
          oidcTokenProvider: 'okta',
          error: expect.stringMatching(/^needs a signed-in user/),
        });
        expect(webhook.reviewed.some(r => r.as === 'mr-restricted')).toBe(
          false,
        );

        // Each cluster read with its identity's rights: what it may not list is unknown there, and only there.
        const scheduled = responses[0].body as EntityReadinessResponse;
        expect(scheduled.workloads.map(w => w.cluster).sort()).toEqual([
          'aks',
          'eks',
          'gke',
          'plain',
        ]);
        expect(errorsOf(scheduled, 'gke')).toMatch(/DaemonSet.*403/);
        expect(errorsOf(scheduled, 'gke')).not.toMatch(/Service.*403/);
        expect(errorsOf(scheduled, 'aks')).toMatch(/Service.*403/);
        expect(errorsOf(scheduled, 'aks')).not.toMatch(/DaemonSet.*403/);
        expect(errorsOf(scheduled, 'eks')).not.toMatch(/403/);

        // A signed-in user's Scan now, with the id token the Kubernetes plugin's frontend sends.
        const own = await get('/entities/component/default/web?refresh=true', {
          'Backstage-Kubernetes-Authorization-oidc-okta': OIDC_ID_TOKEN,
        });
        responses.push(own);
        responses.push(await get('/scans'));
        const second = byName(responses[3].body);
        expect(second.sso).toMatchObject({ status: 'ok' });
        expect(second.sso.needsSignedInUser).toBe(true);
        // Read as the user: their RBAC (no DaemonSets), not the plugin's.
        const report = own.body as EntityReadinessResponse;
        expect(report.workloads.map(w => w.cluster).sort()).toEqual([
          'aks',
          'eks',
          'gke',
          'plain',
          'sso',
        ]);
        expect(errorsOf(report, 'sso')).toMatch(/DaemonSet.*403/);
        expect(webhook.reviewed).toContainEqual({
          accepted: true,
          as: 'mr-restricted',
        });

        // No token anywhere a user or an operator looks.
        const secrets = [
          ...seenTokens,
          AWS_SECRET,
          OIDC_ID_TOKEN,
          GOOGLE_ACCESS_TOKEN,
          AZURE_ACCESS_TOKEN,
          process.env.MR_KUBE_ADMIN_TOKEN!,
        ];
        expect(seenTokens.size).toBeGreaterThan(3);
        const everything = [
          ...responses.map(r => JSON.stringify(r.body)),
          ...logs,
        ].join('\n');
        expect(logs.length).toBeGreaterThan(0);
        for (const secret of secrets) expect(everything).not.toContain(secret);
      } finally {
        await portal.stop();
      }
    }, 90_000);

    it('reads googleServiceAccount with a key file and azure with a service principal, their SDKs reaching Google’s and Entra ID’s own token hosts', async () => {
      const { lines: logs, factory: loggerFactory } = capturingLogger();
      const key = googleServiceAccountKey('mr-test-project');
      const app = {
        tenantId: randomUUID(),
        clientId: randomUUID(),
        clientSecret: `mr-test-app-secret-${randomBytes(12).toString('hex')}`,
      };
      const tokenHosts = await startCloudTokenProxy({
        'www.googleapis.com': googleTokenEndpoint(key, GOOGLE_KEY_TOKEN),
        'login.microsoftonline.com': entraTokenEndpoint(app, AZURE_APP_TOKEN),
      });
      const before = { ...process.env };
      // No metadata endpoints this time: the key and the service principal are all there is.
      delete process.env.GCE_METADATA_HOST;
      delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      Object.assign(process.env, {
        // The way to the token hosts, as an egress proxy is configured; loopback (the clusters, the backend) goes direct.
        HTTPS_PROXY: tokenHosts.url,
        NO_PROXY: '127.0.0.1,localhost',
        AZURE_TENANT_ID: app.tenantId,
        AZURE_CLIENT_ID: app.clientId,
        AZURE_CLIENT_SECRET: app.clientSecret,
      });
      const reviewedBefore = webhook.reviewed.length;
      let portal:
        | Awaited<ReturnType<typeof startMeshReadinessBackend>>
        | undefined;
      try {
        portal = await startMeshReadinessBackend({
          services: [loggerFactory],
          kubernetes: {
            googleServiceAccountCredentials: JSON.stringify(key),
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  at('gke', { authProvider: 'googleServiceAccount' }),
                  at('aks', { authProvider: 'azure' }),
                ],
              },
            ],
          },
          meshReadiness: { clusterTimeoutSeconds: 20 },
          entities: [mappedComponent(ns)],
        });
        const responses = [
          await portal.get('/entities/component/default/web?refresh=true'),
          await portal.get('/scans'),
        ];
        const scans = byName(responses[1].body);
        expect(scans.gke).toMatchObject({
          status: 'ok',
          authProvider: 'googleServiceAccount',
        });
        expect(scans.aks).toMatchObject({
          status: 'ok',
          authProvider: 'azure',
        });
        // gtoken's signed assertion to its fixed URL, and MSAL's client-credentials grant, each on its real host.
        expect(tokenHosts.requests).toContainEqual(
          expect.objectContaining({
            host: 'www.googleapis.com',
            method: 'POST',
            path: '/oauth2/v4/token',
          }),
        );
        const grant = tokenHosts.requests.find(
          r => r.host === 'login.microsoftonline.com' && r.method === 'POST',
        );
        expect(grant?.path).toBe(`/${app.tenantId}/oauth2/v2.0/token`);
        expect(grant?.form.get('scope')).toBe(`${AKS_SERVER_APP}/.default`);
        expect(tokenHosts.refused).toEqual([]);
        // Accepted by the API server as the same users as before, with their rights.
        const reviewed = webhook.reviewed.slice(reviewedBefore);
        expect(reviewed).toContainEqual({
          accepted: true,
          as: `mr-gke-${suffix}`,
        });
        expect(reviewed).toContainEqual({
          accepted: true,
          as: `mr-aks-${suffix}`,
        });
        const report = responses[0].body as EntityReadinessResponse;
        expect(errorsOf(report, 'gke')).toMatch(/DaemonSet.*403/);
        expect(errorsOf(report, 'aks')).toMatch(/Service.*403/);

        const secrets = [
          GOOGLE_KEY_TOKEN,
          AZURE_APP_TOKEN,
          app.clientSecret,
          key.private_key.split('\n')[1],
        ];
        const everything = [
          ...responses.map(r => JSON.stringify(r.body)),
          ...logs,
        ].join('\n');
        expect(logs.length).toBeGreaterThan(0);
        for (const secret of secrets) expect(everything).not.toContain(secret);
      } finally {
        await portal?.stop();
        process.env = before;
        await tokenHosts.close();
      }
    }, 90_000);
  },
);
