/*
 * After each scan: tells a component's owners, through Backstage's
 * notifications backend, when the component regressed, and when one of
 * its waivers runs out within a week. Each notice is sent once, however
 * many scans or replicas find it, and recorded with the auditor.
 */
import {
  AuditorService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EntityReadinessResponse,
  waiversExpiringWithin,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { ReadinessService } from '../ReadinessService';
import { componentStateOf, describeRegression, regressionOf } from './changes';
import { NoticeLedger } from './NoticeLedger';

/** How long before a waiver runs out its owners are told. */
export const WAIVER_NOTICE_DAYS = 7;

export interface NotifierOptions {
  catalog: CatalogService;
  readiness: ReadinessService;
  ledger: NoticeLedger;
  notifications: NotificationService;
  auditor: AuditorService;
  logger: LoggerService;
  /** Where the tab is: `/catalog/:namespace/:kind/:name/<tabPath>`. */
  tabPath?: string;
}

interface Notice {
  key: string;
  entity: Entity;
  kind: 'regression' | 'waiver-expiring';
  title: string;
  description: string;
  severity: 'high' | 'normal';
}

function ownersOf(entity: Entity): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
}

export class ReadinessNotifier {
  constructor(private readonly options: NotifierOptions) {}

  private tabLink(ref: CompoundEntityRef): string {
    return `/catalog/${ref.namespace}/${ref.kind.toLowerCase()}/${ref.name}/${
      this.options.tabPath ?? 'mesh-readiness'
    }`;
  }

  /** Compares every mapped component with its last seen state and sends what is new. Returns the notices sent. */
  async afterScan(
    credentials: BackstageCredentials,
    now: Date = new Date(),
  ): Promise<number> {
    const { catalog, readiness, ledger } = this.options;
    const [{ items: components }, states] = await Promise.all([
      catalog.getEntities({ filter: { kind: 'Component' } }, { credentials }),
      ledger.states(),
    ]);
    const reports = await readiness.reportsOf(components);
    const notices: Notice[] = [];
    for (const [i, entity] of components.entries()) {
      const report = reports[i];
      if (!report.mapped || report.workloads.length === 0) continue;
      const entityRef = report.entityRef;
      const before = states.get(entityRef);
      const state = componentStateOf(report);
      if (before) {
        const regression = regressionOf(before, report);
        if (regression) {
          notices.push({
            // The state it regressed from names the change: the same change found twice has one key.
            key: `regression:${entityRef}:v${before.version}`,
            entity,
            kind: 'regression',
            title: `${
              entity.metadata.title ?? entity.metadata.name
            }: mesh readiness regressed`,
            description: describeRegression(regression),
            severity: regression.noLongerReady ? 'high' : 'normal',
          });
        }
      }
      if (
        !before ||
        JSON.stringify({ ready: before.ready, rules: before.rules }) !==
          JSON.stringify(state)
      ) {
        await ledger.saveState(entityRef, state, before?.version, now);
      }
      notices.push(...this.expiringWaiverNotices(entity, report, now));
    }
    let sent = 0;
    for (const notice of notices) if (await this.sendOnce(notice, now)) sent++;
    return sent;
  }

  private expiringWaiverNotices(
    entity: Entity,
    report: EntityReadinessResponse,
    now: Date,
  ): Notice[] {
    return report.workloads.flatMap(w =>
      waiversExpiringWithin(w, now, WAIVER_NOTICE_DAYS).map(waiver => {
        const workload = `${w.kind} ${w.namespace}/${w.name}`;
        return {
          key: `waiver:${report.entityRef}:${w.cluster}/${w.kind}/${w.namespace}/${w.name}:${waiver.ruleId}:${waiver.until}`,
          entity,
          kind: 'waiver-expiring' as const,
          title: `${
            entity.metadata.title ?? entity.metadata.name
          }: the waiver of ${waiver.ruleId} runs out on ${waiver.until}`,
          description: `From ${waiver.until} ${waiver.ruleId} counts again on ${workload} (cluster ${w.cluster}). It was waived because: ${waiver.reason}. Fix it, or extend ${waiver.source}.`,
          severity: 'normal' as const,
        };
      }),
    );
  }

  /** Claims the notice's key, then sends it; gives the claim back if sending fails. */
  private async sendOnce(notice: Notice, now: Date): Promise<boolean> {
    const { ledger, notifications, auditor, logger } = this.options;
    const entityRef = stringifyEntityRef(notice.entity);
    const owners = ownersOf(notice.entity);
    if (owners.length === 0) return false;
    if (!(await ledger.claim(notice.key, entityRef, now))) return false;
    const event = await auditor.createEvent({
      eventId: 'owner-notification',
      severityLevel: 'low',
      meta: {
        entityRef,
        kind: notice.kind,
        recipients: owners,
        noticeKey: notice.key,
      },
    });
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: owners },
        payload: {
          title: notice.title,
          description: notice.description,
          link: this.tabLink(parseEntityRef(entityRef)),
          severity: notice.severity,
          topic: 'mesh-readiness',
          // The notifications backend also folds notices of one scope into one.
          scope: notice.key,
        },
      });
      await event.success();
      return true;
    } catch (error) {
      await ledger.release(notice.key);
      await event.fail({ error: error as Error });
      logger.warn(
        `Mesh readiness: could not notify ${owners.join(
          ', ',
        )} about ${entityRef}: ${error}`,
      );
      return false;
    }
  }
}
