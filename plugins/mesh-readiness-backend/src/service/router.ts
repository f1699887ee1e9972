/*
 * The HTTP API under /api/mesh-readiness. Thin: validate, ask the catalog
 * (as the caller) for what they may see, read the store, return JSON.
 */
import express from 'express';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  definitionOf,
  meshReadinessRefreshPermission,
  Rule,
  RULE_DEFINITIONS,
  RulesResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { ReadinessService } from './ReadinessService';
import { Scanner } from './Scanner';
import { clusterAuthHeadersOf } from './KubernetesBackendClient';
import { mappingOf } from './entityMapping';
import { spec } from '../schema/openapi';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function refFrom(kind: string, namespace: string, name: string): string {
  for (const [what, value] of [['kind', kind], ['namespace', namespace], ['name', name]]) {
    if (!NAME.test(value)) throw new InputError(`Invalid entity ${what} "${value}"`);
  }
  return `${kind.toLowerCase()}:${namespace}/${name}`;
}

export function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  readiness: ReadinessService;
  scanner: Scanner;
  customRules?: readonly Rule[];
}): express.Router {
  const { httpAuth, permissions, catalog, readiness, scanner } = options;
  // The catalogue as data: the built-in rules, then the adopter's.
  const rules: RulesResponse = {
    rules: [...RULE_DEFINITIONS, ...(options.customRules ?? []).map(definitionOf)],
  };
  // Requests that do not fit the OpenAPI spec are answered 400 before any handler runs.
  const router = createValidatedOpenApiRouter(spec as any) as unknown as express.Router;
  router.use(express.json());

  router.get('/rules', async (_req, res) => {
    res.json(rules);
  });

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const ref = refFrom(req.params.kind, req.params.namespace, req.params.name);
    const refresh = req.query.refresh;
    if (refresh !== undefined && refresh !== 'true' && refresh !== 'false') {
      throw new InputError('refresh must be true or false');
    }
    const credentials = await httpAuth.credentials(req);
    // Read as the caller: an entity they may not see is not found.
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) throw new NotFoundError(`No entity ${ref}`);
    if (refresh === 'true') {
      const entityRef = stringifyEntityRef(entity);
      const [decision] = await permissions.authorize(
        [{ permission: meshReadinessRefreshPermission, resourceRef: entityRef }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(`You may not scan ${entityRef} now; its stored result is served without refresh`);
      }
      const mapping = mappingOf(entity);
      // The caller's own cluster credentials, sent as the Kubernetes plugin's frontend sends them,
      // reach the clusters whose auth provider needs a signed-in user; they last as long as this scan.
      const caller = { credentials, clusterAuthHeaders: clusterAuthHeadersOf(req.headers) };
      if (mapping.mapped) await scanner.scan(mapping.cluster ? [mapping.cluster] : undefined, 'refresh', undefined, caller);
    }
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
