// @ts-check
const { randomUUID } = require('node:crypto');

/**
 * Each cluster's stored result gets an id, new with every good scan, so
 * that what is built from a result (parsed workloads, indexes, reports) is
 * kept under that id rather than under the scan time. Results stored before
 * get one now.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_readiness_clusters', table => {
    table
      .string('result_id', 36)
      .nullable()
      .comment(
        'Id of the stored result, new with each good scan; null when never read',
      );
  });
  const stored = await knex('mesh_readiness_clusters')
    .select('cluster')
    .whereNotNull('workloads');
  for (const { cluster } of stored) {
    await knex('mesh_readiness_clusters')
      .where({ cluster })
      .update({ result_id: randomUUID() });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_readiness_clusters', table => {
    table.dropColumn('result_id');
  });
};
