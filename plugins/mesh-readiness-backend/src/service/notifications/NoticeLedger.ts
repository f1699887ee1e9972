/*
 * The plugin database's record of what owners were told: the components'
 * last seen states and the notices sent. A notice is claimed (inserted
 * under its unique key) before it is sent, so of two replicas or two scans
 * that find the same change exactly one sends it.
 */
import { Knex } from 'knex';
import { ComponentState } from './changes';

export interface StoredState extends ComponentState {
  version: number;
}

export class NoticeLedger {
  constructor(private readonly db: Knex) {}

  async states(): Promise<Map<string, StoredState>> {
    const rows = await this.db('mesh_readiness_component_states').select(
      'entity_ref',
      'ready',
      'rules',
      'version',
    );
    return new Map(
      rows.map(r => [
        r.entity_ref,
        {
          ready: !!r.ready,
          rules: JSON.parse(r.rules),
          version: Number(r.version),
        },
      ]),
    );
  }

  /**
   * Records the component's state as of this scan. `previous` is the version
   * it was read at: whichever replica gets there first moves it on, the
   * other's write is a no-op.
   */
  async saveState(
    entityRef: string,
    state: ComponentState,
    previous: number | undefined,
    at: Date,
  ) {
    const row = {
      ready: state.ready,
      rules: JSON.stringify(state.rules),
      updated_at: at,
    };
    if (previous === undefined) {
      await this.db('mesh_readiness_component_states')
        .insert({ entity_ref: entityRef, version: 1, ...row })
        .onConflict('entity_ref')
        .ignore();
      return;
    }
    await this.db('mesh_readiness_component_states')
      .where({ entity_ref: entityRef, version: previous })
      .update({ ...row, version: previous + 1 });
  }

  /** True when this caller is the one to send the notice under `key`. */
  async claim(key: string, entityRef: string, at: Date): Promise<boolean> {
    const inserted = await this.db('mesh_readiness_notices')
      .insert({ notice_key: key, entity_ref: entityRef, sent_at: at })
      .onConflict('notice_key')
      .ignore()
      .returning('notice_key');
    return inserted.length === 1;
  }

  /** Gives a claim back when sending failed, so that the next scan tries again. */
  async release(key: string) {
    await this.db('mesh_readiness_notices').where({ notice_key: key }).delete();
  }

  /** The keys of the notices sent, e.g. for operators. */
  async sent(): Promise<string[]> {
    return (
      await this.db('mesh_readiness_notices')
        .select('notice_key')
        .orderBy('notice_key')
    ).map(r => r.notice_key);
  }
}
