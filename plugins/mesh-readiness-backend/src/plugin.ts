import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  MeshReadinessClusterSource,
  meshReadinessClusterSourcesExtensionPoint,
  MeshReadinessRule,
  meshReadinessRulesExtensionPoint,
} from '@mesh-readiness/plugin-mesh-readiness-node';
import { validateCustomRules } from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessPermissions } from '@mesh-readiness/plugin-mesh-readiness-common/permissions';
import {
  ManifestClusterSource,
  resolveFolder,
} from './service/ManifestClusterSource';
import { KubernetesBackendClient } from './service/KubernetesBackendClient';
import { KubernetesPluginClusters } from './service/KubernetesPluginClusters';
import { readMeshReadinessConfig } from './config';
import { ReadinessService } from './service/ReadinessService';
import { ReadinessStore } from './service/ReadinessStore';
import { Scanner } from './service/Scanner';
import { ClusterTasks } from './service/ClusterTasks';
import { createRouter } from './service/router';
import { registerReadinessAction } from './service/readinessAction';
import { notifierFromConfig } from './service/notifications/notifierFromConfig';
import { notificationService } from '@backstage/plugin-notifications-node';

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
        discovery: coreServices.discovery,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        auditor: coreServices.auditor,
        notifications: notificationService,
      },
      async init({
        logger,
        config,
        discovery,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        catalog,
        actionsRegistry,
        auditor,
        notifications,
      }) {
        permissionsRegistry.addPermissions(meshReadinessPermissions);
        const settings = readMeshReadinessConfig(config);
        // Live clusters: the ones the Kubernetes plugin reads, read through its backend.
        const kubernetes = settings.kubernetes.enabled
          ? new KubernetesPluginClusters({
              client: new KubernetesBackendClient({ discovery, auth }),
              configured: settings.kubernetes.configuredClusters,
              locatorTypes: settings.kubernetes.locatorTypes,
              logger,
            })
          : undefined;
        const sources: MeshReadinessClusterSource[] = [
          ...(kubernetes?.configuredSources ?? []),
          ...settings.manifestSources.map(
            c =>
              new ManifestClusterSource(
                c.name,
                resolveFolder(c.path),
                { istioCni: c.istioCni, ambient: c.ambient },
                c.target ? resolveFolder(c.target) : undefined,
              ),
          ),
          ...addedSources,
        ];
        const names = new Set<string>();
        for (const s of sources) {
          if (names.has(s.name))
            throw new Error(
              `Two mesh-readiness cluster sources are named "${s.name}"`,
            );
          names.add(s.name);
        }

        validateCustomRules(addedRules);

        const store = await ReadinessStore.create(database);
        const scanner = new Scanner({
          sources,
          store,
          logger,
          clusterTimeoutMs: settings.clusterTimeoutMs,
          concurrency: settings.scanConcurrency,
          customRules: addedRules,
          // The clusters the Kubernetes backend lists are looked up when each scan starts.
          lookUp: kubernetes && (() => kubernetes.lookUp(names)),
        });
        const readiness = new ReadinessService(store, catalog);
        const notifier = await notifierFromConfig(config, {
          database,
          catalog,
          readiness,
          notifications,
          auditor,
          logger,
        });
        const notifyOwners = async () => {
          const sent = await notifier?.afterScan(
            await auth.getOwnServiceCredentials(),
          );
          if (sent)
            logger.info(`Mesh readiness: ${sent} notice(s) sent to owners`);
        };

        // Each cluster is read by its own scheduler task, on whichever replica has a free read slot.
        const clusterTasks = new ClusterTasks({
          scheduler,
          scanner,
          waiting: store,
          schedule: settings.schedule,
          logger,
        });
        await clusterTasks.sync([...names]);
        if (kubernetes) {
          // Every replica schedules the clusters the Kubernetes backend lists, as they come and go.
          await scheduler.scheduleTask({
            id: 'mesh-readiness-clusters',
            ...settings.schedule,
            scope: 'local',
            fn: async () =>
              clusterTasks.sync(
                await scanner.lookUpClusters({ retire: false }),
              ),
          });
        }
        // Once a period, on one replica: clusters no longer listed stop being served, the
        // components' trends get a point from the latest stored results, and owners hear of changes.
        await scheduler.scheduleTask({
          id: 'mesh-readiness-scan',
          ...settings.schedule,
          fn: async () => {
            const clusters = await scanner.lookUpClusters({ retire: true });
            await clusterTasks.sync(clusters);
            const recorded = await readiness.recordHistory(
              await auth.getOwnServiceCredentials(),
            );
            await notifyOwners();
            logger.info(
              `Mesh readiness: ${clusters.length} clusters scheduled, ${recorded} components recorded`,
            );
          },
        });

        httpRouter.use(
          createRouter({
            httpAuth,
            permissions,
            auditor,
            catalog,
            readiness,
            scanner,
            customRules: addedRules,
            // An on-demand scan is a scan: it adds a point to the trends, and owners hear what it found.
            onScanned: async () => {
              await readiness.recordHistory(
                await auth.getOwnServiceCredentials(),
              );
              await notifyOwners();
            },
          }),
        );
        registerReadinessAction({ actionsRegistry, catalog, readiness });
        logger.info(
          `Mesh readiness: ${sources.length} cluster source(s): ${
            [...names].join(', ') || 'none'
          }${
            kubernetes
              ? ', and the clusters the Kubernetes backend lists at each scan'
              : ''
          }`,
        );
        if (addedRules.length)
          logger.info(
            `Mesh readiness: custom rules ${addedRules
              .map(r => r.id)
              .join(', ')}`,
          );
      },
    });
  },
});
