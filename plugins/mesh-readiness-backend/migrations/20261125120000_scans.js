// @ts-check

/**
 * One row per scan: who ran it, when it started and when it ended. A row
 * that never ended belongs to a scan whose backend stopped mid-way; with
 * several replicas, the rows show that each scheduled scan ran once.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_readiness_scans', table => {
    table.comment('Every scan that started, on any replica');
    table.increments('id');
    table.string('trigger').notNullable().comment('schedule or refresh');
    table
      .string('runner')
      .notNullable()
      .comment('host and process id of the backend that ran it');
    table.dateTime('started_at').notNullable();
    table
      .dateTime('finished_at')
      .nullable()
      .comment('Null while running, or when the backend stopped mid-scan');
    table
      .text('clusters')
      .nullable()
      .comment('JSON: per cluster, ok or the error');
    table.index(['started_at'], 'mesh_readiness_scans_started_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_readiness_scans');
};
