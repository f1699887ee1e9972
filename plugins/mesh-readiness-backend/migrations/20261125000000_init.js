// @ts-check

/**
 * The latest result per cluster, and one history row per entity per scan.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_readiness_clusters', table => {
    table.comment('The latest scan of each cluster or manifest source');
    table.string('cluster').primary().notNullable();
    table.string('status').notNullable().comment('ok or error');
    table.text('error').nullable().comment('Why the latest scan failed');
    table
      .dateTime('attempted_at')
      .notNullable()
      .comment('When the latest scan ran');
    table
      .dateTime('scanned_at')
      .nullable()
      .comment('When the stored workloads were read');
    table
      .text('workloads', 'longtext')
      .nullable()
      .comment('JSON: evaluated workloads with their labels');
  });
  await knex.schema.createTable('mesh_readiness_history', table => {
    table.comment(
      'Readiness of each mapped entity after each scan, for trends',
    );
    table.increments('id');
    table.string('entity_ref').notNullable();
    table.dateTime('scanned_at').notNullable();
    table.integer('level').notNullable();
    table.integer('score').notNullable();
    table.boolean('ready').notNullable();
    table.integer('workloads').notNullable();
    table.index(
      ['entity_ref', 'scanned_at'],
      'mesh_readiness_history_entity_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_readiness_history');
  await knex.schema.dropTable('mesh_readiness_clusters');
};
