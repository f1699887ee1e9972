// @ts-check

/**
 * What owners have been told. `mesh_readiness_component_states` holds each
 * component's readiness as of the last scan, to tell a regression from a
 * steady state; `mesh_readiness_notices` holds one row per notice sent,
 * inserted before sending under a unique key, so that two replicas (or two
 * scans) that find the same change send it once.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_readiness_component_states', table => {
    table.comment('Each component’s readiness as of the latest scan');
    table.string('entity_ref').primary();
    table.boolean('ready').notNullable();
    table
      .text('rules')
      .notNullable()
      .comment('JSON: rule id to pass or fail/warn, per the worst workload');
    table
      .integer('version')
      .notNullable()
      .comment(
        'Bumped on each change: part of the key of the notice it causes',
      );
    table.dateTime('updated_at').notNullable();
  });
  await knex.schema.createTable('mesh_readiness_notices', table => {
    table.comment('Notices sent to owners, one per change');
    table
      .string('notice_key', 512)
      .primary()
      .comment(
        'The change: regression of a state version, or a waiver and its last day',
      );
    table.string('entity_ref').notNullable();
    table.dateTime('sent_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_readiness_notices');
  await knex.schema.dropTable('mesh_readiness_component_states');
};
