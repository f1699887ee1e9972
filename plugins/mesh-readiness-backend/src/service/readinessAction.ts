/*
 * "get-mesh-readiness": the entity report as an action in Backstage's
 * actions registry, so the portal's MCP endpoint can serve it to agents.
 */
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotFoundError } from '@backstage/errors';
import {
  LEVEL_NAMES,
  needsAction,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessActionPermission } from '@mesh-readiness/plugin-mesh-readiness-common/permissions';
import { ReadinessService } from './ReadinessService';

export function registerReadinessAction(options: {
  actionsRegistry: ActionsRegistryService;
  catalog: CatalogService;
  readiness: ReadinessService;
}) {
  const { actionsRegistry, catalog, readiness } = options;
  actionsRegistry.register({
    name: 'get-mesh-readiness',
    title: 'Get the mesh readiness of a catalog entity',
    description:
      'Returns whether the Kubernetes workloads of a catalog component are ready for the Istio service mesh: level, score, and every failing, warning or unknown rule with its message, fix and Istio docs link; caveats say what the answer could not see (a cluster that failed, a stale result, a kind that could not be read, a workload known only by its pods).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    // Who may see the action at all; what it returns is still what the catalog lets the caller read.
    visibilityPermission: meshReadinessActionPermission,
    examples: [
      {
        title: 'A component that is not ready',
        description:
          'One workload fails an error rule; the issue says what to change and where Istio documents it.',
        input: { entityRef: 'component:default/cart' },
        output: {
          entityRef: 'component:default/cart',
          mapped: true,
          level: 0,
          levelName: 'Not compatible',
          score: 62,
          workloads: 1,
          readyWorkloads: 0,
          issues: [
            {
              workload: 'demo/Deployment/shop/cart',
              ruleId: 'MR003',
              status: 'fail',
              severity: 'error',
              message:
                'Container cart runs as UID 1337, the sidecar proxy’s UID.',
              remediation: 'Run the container as another UID.',
              docsUrl:
                'https://istio.io/latest/docs/ops/deployment/application-requirements/#pod-requirements',
            },
          ],
          caveats: [],
        },
      },
      {
        title: 'A component that is not mapped to workloads',
        input: { entityRef: 'component:default/legacy-billing' },
        output: {
          entityRef: 'component:default/legacy-billing',
          mapped: false,
          notMappedReason:
            'This component is not mapped to Kubernetes workloads. Add the backstage.io/kubernetes-id annotation.',
          level: 0,
          levelName: 'Not compatible',
          score: 0,
          workloads: 0,
          readyWorkloads: 0,
          issues: [],
          caveats: [],
        },
      },
    ],
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe('The entity, e.g. component:default/cart'),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          mapped: z.boolean(),
          notMappedReason: z.string().optional(),
          level: z.number(),
          levelName: z.string(),
          score: z.number(),
          workloads: z.number(),
          readyWorkloads: z.number(),
          issues: z.array(
            z.object({
              workload: z.string(),
              ruleId: z.string(),
              status: z.string(),
              severity: z.string(),
              message: z.string(),
              remediation: z.string(),
              docsUrl: z.string(),
            }),
          ),
          caveats: z.array(z.string()),
        }),
    },
    action: async ({ input, credentials }) => {
      const entity = await catalog.getEntityByRef(input.entityRef, {
        credentials,
      });
      if (!entity) throw new NotFoundError(`No entity ${input.entityRef}`);
      const report = await readiness.entityReport(entity);
      return {
        output: {
          entityRef: report.entityRef,
          mapped: report.mapped,
          ...(report.notMappedReason
            ? { notMappedReason: report.notMappedReason }
            : {}),
          level: report.summary.level,
          levelName: LEVEL_NAMES[report.summary.level],
          score: report.summary.score,
          workloads: report.summary.workloads,
          readyWorkloads: report.summary.readyWorkloads,
          issues: report.workloads.flatMap(w =>
            w.findings.filter(needsAction).map(f => ({
              workload: `${w.cluster}/${w.kind}/${w.namespace}/${w.name}`,
              ruleId: f.ruleId,
              status: f.status,
              severity: f.severity,
              message: f.message,
              remediation: f.remediation,
              docsUrl: f.docsUrl,
            })),
          ),
          // What the answer could not see: without it "no issues" may read as "ready".
          caveats: [
            ...report.errors.map(e =>
              e.cluster ? `cluster ${e.cluster}: ${e.message}` : e.message,
            ),
            ...report.clusters
              .filter(c => c.stale)
              .map(
                c =>
                  `cluster ${c.cluster}: these results are from ${c.scannedAt}, as its latest read failed`,
              ),
            ...report.workloads
              .filter(w => w.notice)
              .map(
                w =>
                  `${w.cluster}/${w.kind}/${w.namespace}/${w.name}: ${w.notice}`,
              ),
          ],
        },
      };
    },
  });
}
