// @ts-check

/**
 * Clusters whose scheduled read found every replica it reached full, so
 * that a replica with a free read slot pulls them, whichever it is: a
 * replica that never claimed a cluster's task (it started later, or looks
 * in the same moment as another) knows of it only from here. A replica
 * that pulls a cluster marks it, so that a full replica claiming it hands
 * it on rather than letting it wait.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_readiness_waiting', table => {
    table.comment(
      'Clusters whose scheduled read waits for a free read slot on any replica',
    );
    table.string('cluster').primary().notNullable();
    table
      .dateTime('since')
      .notNullable()
      .comment('When it was first found with no replica free, this round');
    table
      .string('pulled_by')
      .nullable()
      .comment('The replica whose free slot pulls it');
    table
      .dateTime('pulled_at')
      .nullable()
      .comment('When that replica made it due, for it to claim');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_readiness_waiting');
};
