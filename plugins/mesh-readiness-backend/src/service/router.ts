/*
 * The HTTP API under /api/mesh-readiness. Thin: validate, ask the catalog
 * (as the caller) for what they may see, read the store, return JSON.
 */
import express from 'express';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  definitionOf,
  Rule,
  RULE_DEFINITIONS,
  RulesResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessRefreshPermission } from '@mesh-readiness/plugin-mesh-readiness-common/permissions';
import { ReadinessService } from './ReadinessService';
import { Scanner } from './Scanner';
import { clusterAuthHeadersOf } from './KubernetesBackendClient';
import { mappingOf } from './entityMapping';
import { spec } from '../schema/openapi';
import { sendSerialized, serializeJson } from './serializedJson';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function refFrom(kind: string, namespace: string, name: string): string {
  for (const [what, value] of [
    ['kind', kind],
    ['namespace', namespace],
    ['name', name],
  ]) {
    if (!NAME.test(value))
      throw new InputError(`Invalid entity ${what} "${value}"`);
  }
  return `${kind.toLowerCase()}:${namespace}/${name}`;
}

export function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  readiness: ReadinessService;
  scanner: Scanner;
  customRules?: readonly Rule[];
  /** Runs after an on-demand scan, e.g. to tell owners what changed. */
  onScanned?: () => Promise<void>;
}): express.Router {
  const { httpAuth, permissions, auditor, catalog, readiness, scanner } =
    options;
  // The catalogue as data: the built-in rules, then the adopter's; it does not change while the backend runs.
  const rules: RulesResponse = {
    rules: [
      ...RULE_DEFINITIONS,
      ...(options.customRules ?? []).map(definitionOf),
    ],
  };
  const rulesJson = serializeJson(rules);
  // Requests that do not fit the OpenAPI spec are answered 400 before any handler runs
  // (its default middleware parses JSON bodies).
  const router = createValidatedOpenApiRouter(
    spec as any,
  ) as unknown as express.Router;

  router.get('/rules', async (_req, res) => {
    sendSerialized(res, rulesJson);
  });

  /**
   * Scans the entity's clusters now, if the caller may, and records it with
   * the auditor: who asked, for which entity, and how it ended.
   */
  async function scanOnDemand(
    req: express.Request,
    entity: Entity,
    credentials: BackstageCredentials,
  ) {
    const entityRef = stringifyEntityRef(entity);
    const auditorEvent = await auditor.createEvent({
      eventId: 'entity-scan',
      severityLevel: 'medium',
      request: req,
      meta: { entityRef },
    });
    try {
      const [decision] = await permissions.authorize(
        [
          {
            permission: meshReadinessRefreshPermission,
            resourceRef: entityRef,
          },
        ],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `You may not scan ${entityRef} now; its stored result is served without a scan`,
        );
      }
      const mapping = mappingOf(entity);
      const clusters = mapping.mapped
        ? mapping.cluster ?? 'all'
        : 'none (not mapped)';
      // The caller's own cluster credentials, sent as the Kubernetes plugin's frontend sends them,
      // reach the clusters whose auth provider needs a signed-in user; they last as long as this scan.
      const caller = {
        credentials,
        clusterAuthHeaders: clusterAuthHeadersOf(req.headers),
      };
      if (mapping.mapped)
        await scanner.scan(
          mapping.cluster ? [mapping.cluster] : undefined,
          'refresh',
          undefined,
          caller,
        );
      await auditorEvent.success({ meta: { clusters } });
      if (mapping.mapped) await options.onScanned?.();
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  }

  /** The entity, read as the caller: one they may not see is not found. */
  async function entityFor(
    req: express.Request,
    credentials: BackstageCredentials,
  ) {
    const ref = refFrom(req.params.kind, req.params.namespace, req.params.name);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${ref}`);
    return entity;
  }

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const refresh = req.query.refresh;
    if (refresh !== undefined && refresh !== 'true' && refresh !== 'false') {
      throw new InputError('refresh must be true or false');
    }
    const credentials = await httpAuth.credentials(req);
    const entity = await entityFor(req, credentials);
    if (refresh === 'true') {
      // A read that changes state: kept for one release, then removed.
      res.setHeader('Deprecation', 'true');
      res.setHeader(
        'Link',
        '</entities/{kind}/{namespace}/{name}/scan>; rel="successor-version"',
      );
      await scanOnDemand(req, entity, credentials);
    }
    // Only now, with the entity read as the caller, may a matching If-None-Match get its 304.
    sendSerialized(res, await readiness.serializedEntityReport(entity));
  });

  router.post('/entities/:kind/:namespace/:name/scan', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const entity = await entityFor(req, credentials);
    await scanOnDemand(req, entity, credentials);
    res.json(await readiness.entityReport(entity));
  });

  router.get('/groups/:namespace/:name/scorecard', async (req, res) => {
    const ref = refFrom('group', req.params.namespace, req.params.name);
    const credentials = await httpAuth.credentials(req);
    const group = await catalog.getEntityByRef(ref, { credentials });
    if (!group) throw new NotFoundError(`No group ${ref}`);
    res.json(await readiness.groupScorecard(group, credentials));
  });

  router.get('/scorecards', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await readiness.organizationScorecard(credentials));
  });

  router.get('/scans', async (req, res) => {
    // Cluster names and their errors only, as every entity report shows them.
    await httpAuth.credentials(req);
    const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
    res.json(await scanner.status(limit));
  });

  return router;
}
