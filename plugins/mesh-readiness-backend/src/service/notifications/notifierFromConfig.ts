/*
 * The owner notifier, when `meshReadiness.notifications.enabled` is set:
 * off by default, as it needs the notifications backend installed.
 */
import {
  AuditorService,
  DatabaseService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ReadinessService } from '../ReadinessService';
import { NoticeLedger } from './NoticeLedger';
import { ReadinessNotifier } from './ReadinessNotifier';

export async function notifierFromConfig(
  config: RootConfigService,
  deps: {
    database: DatabaseService;
    catalog: CatalogService;
    readiness: ReadinessService;
    notifications: NotificationService;
    auditor: AuditorService;
    logger: LoggerService;
  },
): Promise<ReadinessNotifier | undefined> {
  if (!config.getOptionalBoolean('meshReadiness.notifications.enabled'))
    return undefined;
  // The store has run the migrations on this database by now.
  const ledger = new NoticeLedger(await deps.database.getClient());
  return new ReadinessNotifier({
    ...deps,
    ledger,
    tabPath: config.getOptionalString('meshReadiness.notifications.tabPath'),
  });
}
