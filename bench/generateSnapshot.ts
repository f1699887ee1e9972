/*
 * Realistic, seeded snapshots for benchmarks: namespaces with injection and
 * Pod Security labels, Deployments with ReplicaSets and live pods, and
 * Services whose selectors overlap (a per-app Service and a per-version
 * one). Objects look as the API server lists them (managedFields aside):
 * defaulted fields, and pods as their controllers and admission made them:
 * each on its node, with its own service account token volume (a random
 * name, mounted in every container), Istio's injected init container,
 * proxy, labels and annotations where the namespace injects, and a status.
 * As a scan reads it today, too: the target profile the live source detects
 * (Istio 1.24 without the CNI plugin, ambient or native sidecars: a cluster
 * before it picks a mode) and NetworkPolicies that limit ingress to the
 * app's port, so that the rules judged again per data-plane mode (MR004's
 * Pod Security, MR015's policies) have their work.
 * Scale 1 = 10,000 pods, 2,000 Services, 100 namespaces.
 */
import type {
  ClusterSnapshot,
  KubeObject,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/** mulberry32: a tiny seeded PRNG, so every run builds the same snapshot. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSnapshot(scale: number, seed = 42): ClusterSnapshot {
  const rand = random(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const suffix = (n: number) =>
    Array.from(
      { length: n },
      () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(rand() * 27)],
    ).join('');
  const objects: KubeObject[] = [];
  const namespaces = 100 * scale;
  const appsPerNamespace = 10; // 1,000 apps at scale 1
  const podsPerApp = 10; // 10,000 pods
  const nodes = 50 * scale;
  const created = '2026-11-01T08:00:00Z';
  let resourceVersion = 1000;
  const meta = (
    name: string,
    namespace: string,
    uid: string,
    extra: Record<string, unknown> = {},
  ) => ({
    name,
    namespace,
    uid,
    resourceVersion: String(resourceVersion++),
    creationTimestamp: created,
    ...extra,
  });
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    const injected = rand() < 0.7;
    const policed = rand() < 0.4;
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        ...meta(ns, undefined as any, `ns-${n}`),
        labels: {
          'kubernetes.io/metadata.name': ns,
          ...(injected ? { 'istio-injection': 'enabled' } : {}),
          ...(rand() < 0.2
            ? {
                'pod-security.kubernetes.io/enforce': pick([
                  'baseline',
                  'restricted',
                  'privileged',
                ]),
              }
            : {}),
        },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    for (let a = 0; a < appsPerNamespace; a++) {
      const app = `app-${a}`;
      const version = `v${1 + Math.floor(rand() * 3)}`;
      const port = pick([8080, 8080, 9090, 3000, 15020]);
      const labels = { app, version, team: `t${n % 7}` };
      const appContainer = {
        name: app,
        image: `registry.local/${ns}/${app}:${version}`,
        ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
        readinessProbe: {
          httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' },
          timeoutSeconds: 1,
          periodSeconds: 10,
          successThreshold: 1,
          failureThreshold: 3,
        },
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      };
      const templateSpec = {
        securityContext: { runAsUser: rand() < 0.02 ? 1337 : 1000 },
        containers: [appContainer],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
      };
      const hash = suffix(10);
      const template = { metadata: { labels }, spec: templateSpec };
      const uid = `${ns}-${app}`;
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          ...meta(app, ns, uid, { generation: 1 }),
          annotations: { 'deployment.kubernetes.io/revision': '1' },
        },
        spec: {
          replicas: podsPerApp,
          selector: { matchLabels: { app } },
          template,
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
          },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
        status: {
          observedGeneration: 1,
          replicas: podsPerApp,
          updatedReplicas: podsPerApp,
          readyReplicas: podsPerApp,
          availableReplicas: podsPerApp,
        },
      });
      const rsTemplate = {
        metadata: { labels: { ...labels, 'pod-template-hash': hash } },
        spec: templateSpec,
      };
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          ...meta(`${app}-${hash}`, ns, `${uid}-rs`),
          labels: { ...labels, 'pod-template-hash': hash },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: app,
              uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          replicas: podsPerApp,
          selector: { matchLabels: { app, 'pod-template-hash': hash } },
          template: rsTemplate,
        },
        status: {
          replicas: podsPerApp,
          fullyLabeledReplicas: podsPerApp,
          readyReplicas: podsPerApp,
          availableReplicas: podsPerApp,
        },
      });
      for (let p = 0; p < podsPerApp; p++) {
        // As admission leaves it: a token volume of its own, mounted everywhere.
        const token = `kube-api-access-${suffix(5)}`;
        const mount = {
          name: token,
          readOnly: true,
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        };
        const node = `node-${Math.floor(rand() * nodes)}`;
        const podName = `${app}-${hash}-${suffix(5)}`;
        const proxy = {
          name: 'istio-proxy',
          image: 'docker.io/istio/proxyv2:1.24.0',
          args: [
            'proxy',
            'sidecar',
            '--domain',
            '$(POD_NAMESPACE).svc.cluster.local',
            '--proxyLogLevel=warning',
          ],
          ports: [
            { name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' },
          ],
          readinessProbe: {
            httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' },
            periodSeconds: 15,
            timeoutSeconds: 3,
            failureThreshold: 4,
          },
          securityContext: {
            runAsUser: 1337,
            runAsGroup: 1337,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          resources: {
            limits: { cpu: '2', memory: '1Gi' },
            requests: { cpu: '100m', memory: '128Mi' },
          },
          volumeMounts: [
            { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
            mount,
          ],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        };
        const init = {
          name: 'istio-init',
          image: 'docker.io/istio/proxyv2:1.24.0',
          args: [
            'istio-iptables',
            '-p',
            '15001',
            '-z',
            '15006',
            '-u',
            '1337',
            '-m',
            'REDIRECT',
            '-i',
            '*',
            '-b',
            '*',
          ],
          securityContext: {
            runAsUser: 0,
            runAsNonRoot: false,
            capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
          },
          volumeMounts: [mount],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        };
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            ...meta(podName, ns, `${uid}-pod-${p}`, {
              generateName: `${app}-${hash}-`,
            }),
            labels: {
              ...labels,
              'pod-template-hash': hash,
              ...(injected
                ? {
                    'security.istio.io/tlsMode': 'istio',
                    'service.istio.io/canonical-name': app,
                    'service.istio.io/canonical-revision': version,
                  }
                : {}),
            },
            ...(injected
              ? {
                  annotations: {
                    'istio.io/rev': 'default',
                    'kubectl.kubernetes.io/default-container': app,
                    'kubectl.kubernetes.io/default-logs-container': app,
                    'prometheus.io/path': '/stats/prometheus',
                    'prometheus.io/port': '15020',
                    'prometheus.io/scrape': 'true',
                    'sidecar.istio.io/status':
                      '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}',
                  },
                }
              : {}),
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${app}-${hash}`,
                uid: `${uid}-rs`,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            volumes: [
              ...(injected
                ? [{ name: 'istio-envoy', emptyDir: { medium: 'Memory' } }]
                : []),
              {
                name: token,
                projected: {
                  sources: [
                    {
                      serviceAccountToken: {
                        expirationSeconds: 3607,
                        path: 'token',
                      },
                    },
                    {
                      configMap: {
                        name: 'kube-root-ca.crt',
                        items: [{ key: 'ca.crt', path: 'ca.crt' }],
                      },
                    },
                    {
                      downwardAPI: {
                        items: [
                          {
                            path: 'namespace',
                            fieldRef: {
                              apiVersion: 'v1',
                              fieldPath: 'metadata.namespace',
                            },
                          },
                        ],
                      },
                    },
                  ],
                  defaultMode: 420,
                },
              },
            ],
            ...(injected ? { initContainers: [init] } : {}),
            containers: [
              { ...appContainer, volumeMounts: [mount] },
              ...(injected ? [proxy] : []),
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            serviceAccountName: 'default',
            serviceAccount: 'default',
            nodeName: node,
            securityContext: templateSpec.securityContext,
            schedulerName: 'default-scheduler',
            tolerations: [
              {
                key: 'node.kubernetes.io/not-ready',
                operator: 'Exists',
                effect: 'NoExecute',
                tolerationSeconds: 300,
              },
              {
                key: 'node.kubernetes.io/unreachable',
                operator: 'Exists',
                effect: 'NoExecute',
                tolerationSeconds: 300,
              },
            ],
            priority: 0,
            enableServiceLinks: true,
            preemptionPolicy: 'PreemptLowerPriority',
          },
          status: {
            phase: 'Running',
            conditions: [
              'PodReadyToStartContainers',
              'Initialized',
              'Ready',
              'ContainersReady',
              'PodScheduled',
            ].map(type => ({
              type,
              status: 'True',
              lastProbeTime: null,
              lastTransitionTime: created,
            })),
            hostIP: `10.0.${Math.floor(rand() * 255)}.${Math.floor(
              rand() * 255,
            )}`,
            podIP: `10.244.${Math.floor(rand() * 255)}.${Math.floor(
              rand() * 255,
            )}`,
            startTime: created,
            containerStatuses: [app, ...(injected ? ['istio-proxy'] : [])].map(
              name => ({
                name,
                state: { running: { startedAt: created } },
                ready: true,
                restartCount: 0,
                image: name === app ? appContainer.image : proxy.image,
                imageID: `sha256:${suffix(40)}`,
                containerID: `containerd://${suffix(40)}`,
                started: true,
              }),
            ),
            qosClass: 'Burstable',
          },
        });
      }
      if (policed) {
        // Ingress to the app's port from the namespace's pods: what teams write, and what drops HBONE in ambient.
        objects.push({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: {
            ...meta(`${app}-ingress`, ns, `${uid}-np`, { generation: 1 }),
          },
          spec: {
            podSelector: { matchLabels: { app } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [{ podSelector: {} }],
                ports: [{ protocol: 'TCP', port }],
              },
            ],
          },
        });
      }
      // Two Services per app: 2,000 at scale 1. The second overlaps the first
      // (same pods, by version), with a random protocol, so MR002 has work.
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(app, ns, `${uid}-svc`),
        spec: {
          selector: { app },
          ports: [
            { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
          ],
          type: 'ClusterIP',
          clusterIP: `10.96.${Math.floor(rand() * 255)}.${Math.floor(
            rand() * 255,
          )}`,
          sessionAffinity: 'None',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: {} },
      });
      const headless = rand() < 0.1;
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(`${app}-${version}`, ns, `${uid}-svc-v`),
        spec: {
          clusterIP: headless
            ? 'None'
            : `10.96.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
          selector: { app, version },
          ports: [
            {
              name: pick(['http-direct', 'tcp-direct', 'direct']),
              protocol: 'TCP',
              port,
              targetPort: port,
            },
          ],
          type: 'ClusterIP',
          sessionAffinity: 'None',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: {} },
      });
    }
  }
  return {
    cluster: `bench-${scale}x`,
    source: 'live',
    objects,
    environment: {
      istioVersion: '1.24.0',
      istioCni: false,
      ambient: false,
      nativeSidecars: false,
    },
  };
}

/**
 * The same cluster as a skeleton: only the fields the rules read, as the
 * first version of this generator made it (no status, no defaulted or
 * per-pod fields, no Istio init container). Parsing it is far cheaper
 * than parsing what the API server lists, so evaluate/parse is higher.
 */
export function skeletonOf(snapshot: ClusterSnapshot): ClusterSnapshot {
  const keepMeta = ['name', 'namespace', 'uid', 'labels', 'ownerReferences'];
  const keepContainer = [
    'name',
    'image',
    'ports',
    'readinessProbe',
    'securityContext',
  ];
  const pick = (o: Record<string, any>, keys: string[]) =>
    Object.fromEntries(
      keys.filter(k => o[k] !== undefined).map(k => [k, o[k]]),
    );
  const podSpec = (spec: Record<string, any>) => ({
    ...pick(spec, ['securityContext']),
    containers: spec.containers.map((c: Record<string, any>) =>
      pick(c, keepContainer),
    ),
  });
  return {
    ...snapshot,
    objects: snapshot.objects.map((o: any) => {
      const metadata = pick(
        o.metadata,
        o.kind === 'Pod' ? [...keepMeta, 'annotations'] : keepMeta,
      );
      const base = { apiVersion: o.apiVersion, kind: o.kind, metadata };
      switch (o.kind) {
        case 'Pod':
          return { ...base, spec: podSpec(o.spec) };
        case 'Deployment':
        case 'ReplicaSet':
          return {
            ...base,
            spec: {
              selector: o.spec.selector,
              template: {
                metadata: o.spec.template.metadata,
                spec: podSpec(o.spec.template.spec),
              },
            },
          };
        case 'Service':
          return {
            ...base,
            spec: {
              ...(o.spec.clusterIP === 'None' ? { clusterIP: 'None' } : {}),
              selector: o.spec.selector,
              ports: o.spec.ports,
            },
          };
        case 'NetworkPolicy':
          return { ...base, spec: o.spec };
        default:
          return base;
      }
    }),
  };
}
