/*
 * The Kubernetes plugin's own auth strategies, end to end against the real
 * API server of `yarn test:cluster`: its webhook token authenticator
 * (tokenWebhook.ts) accepts what each strategy produces and maps it to a
 * user with its own RBAC. A config of the four server-side providers
 * adopters use (aws, googleServiceAccount, azure, serviceAccount) and one
 * client-side (oidc): every cluster is attempted with its own provider and
 * shown with its outcome; no token reaches a response or a log line.
 *
 * Google's and Azure's SDKs cannot be pointed at a loopback token endpoint
 * (see scripts/kube/README.md): those two are attempted and fail with the
 * SDK's own reason, which is what this test can show of them.
 * Skipped when no control plane is up.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { EntityReadinessResponse, ScansResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { adminClient } from './adminClient';
import { awsPresignedIdentity, startTokenWebhook } from './tokenWebhook';
import { capturingLogger } from './__testUtils__/capturingLogger';
import { meshReadinessPlugin } from '../plugin';

const server = process.env.MR_KUBE_SERVER;
const describeCluster = server && process.env.MR_KUBE_TOKEN_WEBHOOK_PORT ? describe : describe.skip;

// Fake static AWS credentials: presigning is offline, nothing calls AWS.
const AWS_KEY_ID = 'AKIAMRTEST0000000001';
const AWS_SECRET = `mr-test-secret-${randomBytes(8).toString('hex')}`;
const OIDC_ID_TOKEN = `oidc-id-token-${randomBytes(12).toString('hex')}`;

describeCluster('the Kubernetes plugin’s auth providers, against a real API server', () => {
  const ns = `mr-it-auth-${randomBytes(4).toString('hex')}`;
  const seenTokens = new Set<string>();
  const saved = { ...process.env };
  let webhook: Awaited<ReturnType<typeof startTokenWebhook>>;

  beforeAll(async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: AWS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    webhook = await startTokenWebhook(token => {
      seenTokens.add(token);
      // EKS: the presigned STS URL of the access key, a user with every right.
      if (awsPresignedIdentity(token, AWS_KEY_ID, 'us-east-1')) return { username: 'mr-aws', groups: ['system:masters'] };
      // The signed-in user's id token: the restricted reader (no DaemonSets).
      if (token === OIDC_ID_TOKEN) return { username: 'mr-restricted' };
      return undefined;
    });
    const client = adminClient();
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as any);
    await client.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: ns, labels: { 'backstage.io/kubernetes-id': ns, app: 'web', version: 'v1' } },
      spec: { containers: [{ name: 'web', image: 'web:1' }] },
    } as any);
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await webhook?.close();
  });

  it('attempts every cluster with its own provider, reads those it can, and shows why not the others', async () => {
    const { lines: logs, factory: loggerFactory } = capturingLogger();

    const at = (name: string, rest: Record<string, unknown>) => ({ name, url: server, caData: process.env.MR_KUBE_CA_DATA, ...rest });
    const testBackend = await startTestBackend({
      features: [
        meshReadinessPlugin,
        kubernetesPlugin,
        loggerFactory,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    at('eks', { authProvider: 'aws' }),
                    at('gke', { authProvider: 'googleServiceAccount' }),
                    at('aks', { authProvider: 'azure' }),
                    at('plain', { authProvider: 'serviceAccount', serviceAccountToken: process.env.MR_KUBE_ADMIN_TOKEN }),
                    at('sso', { authProvider: 'oidc', oidcTokenProvider: 'okta' }),
                  ],
                },
              ],
            },
            meshReadiness: { clusterTimeoutSeconds: 20 },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'web', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': ns } },
              spec: { type: 'service', owner: 'shop-team' },
            },
          ],
        }),
      ],
    });
    const get = (path: string, headers: Record<string, string> = {}) =>
      request(testBackend.server).get(`/api/mesh-readiness${path}`).set('Authorization', mockCredentials.user.header()).set(headers);
    try {
      const responses = [await get('/entities/component/default/web?refresh=true')];
      responses.push(await get('/scans'));
      const byName = (scans: ScansResponse) => Object.fromEntries(scans.clusters.map(c => [c.cluster, c]));
      const first = byName(responses[1].body);
      expect(Object.keys(first).sort()).toEqual(['aks', 'eks', 'gke', 'plain', 'sso']);
      for (const [name, provider] of [['eks', 'aws'], ['gke', 'googleServiceAccount'], ['aks', 'azure'], ['plain', 'serviceAccount'], ['sso', 'oidc']]) {
        expect(first[name]).toMatchObject({ locator: 'config', authProvider: provider, attemptedAt: expect.any(String) });
      }
      // AWS: the strategy's presigned token, accepted by the webhook as mr-aws.
      expect(first.eks).toMatchObject({ status: 'ok' });
      expect(webhook.reviewed).toContainEqual({ accepted: true, as: 'mr-aws' });
      expect(first.plain).toMatchObject({ status: 'ok' });
      // The SDKs that would need Google's or Azure's own endpoints fail, each with its reason.
      expect(first.gke).toMatchObject({ status: 'error', error: expect.stringMatching(/\S/) });
      expect(first.aks).toMatchObject({ status: 'error', error: expect.stringMatching(/\S/) });
      // Client-side auth: not read without a user, and said so.
      expect(first.sso).toMatchObject({ status: 'error', needsSignedInUser: true, oidcTokenProvider: 'okta', error: expect.stringMatching(/^needs a signed-in user/) });
      expect(webhook.reviewed.some(r => r.as === 'mr-restricted')).toBe(false);

      // A signed-in user's Scan now, with the id token the Kubernetes plugin's frontend sends.
      const own = await get('/entities/component/default/web?refresh=true', { 'Backstage-Kubernetes-Authorization-oidc-okta': OIDC_ID_TOKEN });
      responses.push(own);
      responses.push(await get('/scans'));
      const second = byName(responses[3].body);
      expect(second.sso).toMatchObject({ status: 'ok' });
      expect(second.sso.needsSignedInUser).toBe(true);
      // Read as the user: their RBAC (no DaemonSets), not the plugin's.
      const report = own.body as EntityReadinessResponse;
      expect(report.workloads.map(w => w.cluster).sort()).toEqual(['eks', 'plain', 'sso']);
      expect(JSON.stringify(report.errors)).toMatch(/sso[^}]*DaemonSet[^}]*403/);
      expect(webhook.reviewed).toContainEqual({ accepted: true, as: 'mr-restricted' });

      // No token anywhere a user or an operator looks.
      const secrets = [...seenTokens, AWS_SECRET, OIDC_ID_TOKEN, process.env.MR_KUBE_ADMIN_TOKEN!];
      expect(seenTokens.size).toBeGreaterThan(1);
      const everything = [...responses.map(r => JSON.stringify(r.body)), ...logs].join('\n');
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(everything).not.toContain(secret);
    } finally {
      await testBackend.stop();
    }
  }, 90_000);
});
