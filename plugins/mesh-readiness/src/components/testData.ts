import { MeshReadinessApi } from '../api/MeshReadinessApi';
import {
  EntityReadinessResponse,
  Finding,
  RULE_DEFINITIONS,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';

export const finding = (
  ruleId: string,
  status: Finding['status'],
  message: string,
): Finding => {
  const rule = RULE_DEFINITIONS.find(r => r.id === ruleId)!;
  return {
    ruleId,
    status,
    severity: rule.severity,
    title: rule.title,
    message,
    evidence:
      status === 'fail'
        ? [
            {
              kind: 'Service',
              namespace: 'shop',
              name: 'cart-internal',
              field: 'spec.ports[0]',
              detail: 'port "tcp-api" 9000/TCP → pod port 9000 as TCP',
            },
          ]
        : [],
    remediation: rule.remediation,
    docsUrl: rule.docsUrl,
  };
};

export const workload = (
  name: string,
  findings: Finding[],
  extra: Partial<WorkloadReport> = {},
): WorkloadReport => ({
  cluster: 'demo-cluster',
  kind: 'Deployment',
  namespace: 'shop',
  name,
  ready: false,
  level: 0,
  score: 72,
  findings,
  ...extra,
});

export const mixedReport: EntityReadinessResponse = {
  entityRef: 'component:default/cart',
  mapped: true,
  scannedAt: new Date().toISOString(),
  summary: {
    workloads: 1,
    readyWorkloads: 0,
    level: 0,
    score: 72,
    statusCounts: { pass: 1, fail: 1, warn: 1, skip: 0, unknown: 0, waived: 0 },
  },
  clusters: [
    {
      cluster: 'demo-cluster',
      status: 'ok',
      scannedAt: new Date().toISOString(),
      workloads: [],
    },
    {
      cluster: 'prod-eu',
      status: 'error',
      error: 'connect ECONNREFUSED 10.0.0.1:443',
      scannedAt: '2026-11-24T10:00:00Z',
      stale: true,
      workloads: [],
    },
  ],
  workloads: [
    workload('cart', [
      finding('MR001', 'pass', 'Selected by Service "cart".'),
      finding('MR002', 'fail', 'Pod port 9000/TCP is reached as HTTP and TCP.'),
      finding(
        'MR006',
        'warn',
        '1 of 3 Service ports declares no protocol by name or appProtocol.',
      ),
    ]),
  ],
  errors: [
    { cluster: 'prod-eu', message: 'connect ECONNREFUSED 10.0.0.1:443' },
  ],
};

export const notMappedReport: EntityReadinessResponse = {
  entityRef: 'component:default/legacy',
  mapped: false,
  notMappedReason:
    'This component is not mapped to Kubernetes workloads. Add the backstage.io/kubernetes-id annotation.',
  suggestedAnnotations: { 'backstage.io/kubernetes-id': 'legacy' },
  summary: {
    workloads: 0,
    readyWorkloads: 0,
    level: 0,
    score: 0,
    statusCounts: { pass: 0, fail: 0, warn: 0, skip: 0, unknown: 0, waived: 0 },
  },
  clusters: [],
  workloads: [],
  errors: [],
};

/** An API with no team and no cluster yet: the organisation page's empty state. */
export const emptyOrganizationApi = {
  getOrganizationScorecard: async () => ({ teams: [], topFailingRules: [] }),
  getScans: async () => ({ clusters: [], scans: [] }),
} as unknown as MeshReadinessApi;
