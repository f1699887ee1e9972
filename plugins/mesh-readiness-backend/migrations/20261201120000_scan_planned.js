// @ts-check

/**
 * Scheduled reads run one cluster at a time, each as its own scheduler
 * task, on whichever replica has room. A scan row now says, from its
 * start, which clusters it set out to read: a read that never finished is
 * then known to be overtaken when a later scheduled read of the same
 * cluster exists. Null on rows from before, which read every cluster.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_readiness_scans', table => {
    table
      .text('planned')
      .nullable()
      .comment(
        'JSON: the clusters the scan set out to read; null on scans of every cluster from before',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_readiness_scans', table => {
    table.dropColumn('planned');
  });
};
