import {
  coreServices,
  createBackendPlugin,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  MeshReadinessClusterSource,
  meshReadinessClusterSourcesExtensionPoint,
  MeshReadinessRule,
  meshReadinessRulesExtensionPoint,
} from '@mesh-readiness/plugin-mesh-readiness-node';
import { meshReadinessPermissions, validateCustomRules } from '@mesh-readiness/plugin-mesh-readiness-common';
import { ManifestClusterSource, resolveFolder } from './service/ManifestClusterSource';
import { KubernetesClusterSource } from './service/KubernetesClusterSource';
import { CatalogClusterLocator } from './service/CatalogClusterLocator';
import { ReadinessService } from './service/ReadinessService';
import { ReadinessStore } from './service/ReadinessStore';
import { Scanner } from './service/Scanner';
import { createRouter } from './service/router';
import { registerReadinessAction } from './service/readinessAction';

/**
 * The Mesh Readiness backend plugin: maps catalog components to Kubernetes
 * workloads, scans the clusters on the scheduler and serves the results.
 *
 * @public
 */
export const meshReadinessPlugin = createBackendPlugin({
  pluginId: 'mesh-readiness',
  register(env) {
    const addedSources: MeshReadinessClusterSource[] = [];
    env.registerExtensionPoint(meshReadinessClusterSourcesExtensionPoint, {
      addClusterSource(...sources) {
        addedSources.push(...sources);
      },
    });

    const addedRules: MeshReadinessRule[] = [];
    env.registerExtensionPoint(meshReadinessRulesExtensionPoint, {
      addRules(...rules) {
        addedRules.push(...rules);
      },
    });

    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        logger,
        config,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        catalog,
        actionsRegistry,
      }) {
        permissionsRegistry.addPermissions(meshReadinessPermissions);
        // Live clusters: the same ones the Kubernetes plugin is configured with.
        const live = KubernetesClusterSource.fromKubernetesConfig(config);
        const fromCatalog = CatalogClusterLocator.fromConfig(live.catalogLocators, { catalog, auth, logger });
        for (const reason of [...live.skipped, ...fromCatalog.skipped]) logger.warn(`Mesh readiness: ${reason}`);
        const sources: MeshReadinessClusterSource[] = [
          ...live.sources,
          ...(config.getOptionalConfigArray('meshReadiness.manifestSources') ?? []).map(
            c =>
              new ManifestClusterSource(c.getString('name'), resolveFolder(c.getString('path')), {
                istioCni: c.getOptionalBoolean('istioCni'),
                ambient: c.getOptionalBoolean('ambient'),
              }, c.has('target') ? resolveFolder(c.getString('target')) : undefined),
          ),
          ...addedSources,
        ];
        const names = new Set<string>();
        for (const s of sources) {
          if (names.has(s.name)) throw new Error(`Two mesh-readiness cluster sources are named "${s.name}"`);
          names.add(s.name);
        }

        validateCustomRules(addedRules);

        const store = await ReadinessStore.create(database);
        const timeoutMs = (config.getOptionalNumber('meshReadiness.clusterTimeoutSeconds') ?? 60) * 1000;
        // Clusters of the catalog locator are looked up when each scan starts.
        const catalogLocator = fromCatalog.locator;
        const scanner = new Scanner(
          sources,
          store,
          logger,
          timeoutMs,
          addedRules,
          catalogLocator && (() => catalogLocator.sources(names)),
        );
        const readiness = new ReadinessService(store, catalog);

        // The scheduler runs each scan on one replica at a time. A backend
        // stopped mid-scan holds the task until its timeout passes; then
        // another replica (or this one, restarted) runs the scan again.
        const schedule: SchedulerServiceTaskScheduleDefinition = config.has('meshReadiness.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig('meshReadiness.schedule'))
          : {
              frequency: { minutes: config.getOptionalNumber('meshReadiness.scanIntervalMinutes') ?? 10 },
              timeout: { seconds: Math.max(300, (2 * timeoutMs) / 1000) },
              initialDelay: { seconds: 3 },
            };
        await scheduler.scheduleTask({
          id: 'mesh-readiness-scan',
          ...schedule,
          fn: async signal => {
            const outcomes = await scanner.scan(undefined, 'schedule', signal);
            const recorded = await readiness.recordHistory(await auth.getOwnServiceCredentials());
            logger.info(
              `Mesh readiness scan: ${outcomes.filter(o => o.ok).length}/${outcomes.length} clusters read, ${recorded} components recorded`,
            );
          },
        });

        httpRouter.use(createRouter({ httpAuth, permissions, catalog, readiness, scanner, customRules: addedRules }));
        registerReadinessAction({ actionsRegistry, catalog, readiness });
        logger.info(
          `Mesh readiness: ${sources.length} cluster source(s): ${[...names].join(', ') || 'none'}${
            catalogLocator ? ', and the catalog’s kubernetes-cluster Resources at each scan' : ''
          }`,
        );
        if (addedRules.length) logger.info(`Mesh readiness: custom rules ${addedRules.map(r => r.id).join(', ')}`);
      },
    });
  },
});
