/*
 * A manifest folder as adopters keep one: rendered manifests beside the
 * values they were rendered with, and a Helm chart not yet rendered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManifestClusterSource } from './ManifestClusterSource';

const FIXTURES = path.resolve(__dirname, '__fixtures__');

describe('ManifestClusterSource', () => {
  it('serves the rendered manifests, passes over a values file, and names a Helm chart it does not read', async () => {
    const snapshot = await new ManifestClusterSource(
      'gitops',
      path.join(FIXTURES, 'with-chart'),
    ).readSnapshot();
    expect(
      snapshot.objects.map(
        o => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`,
      ),
    ).toEqual(['Deployment/shop/web']);
    // values.yaml gives no "no kind" problem; the chart gives one, by name.
    expect(snapshot.unreadable).toEqual([
      {
        kind: 'Manifest',
        reason:
          'charts/shop: a Helm chart (it has a Chart.yaml): its templates are not manifests until rendered; put what helm template renders in the folder instead',
      },
    ]);
  });

  it('reads nothing of a folder that is itself a chart, and says so', async () => {
    const snapshot = await new ManifestClusterSource(
      'chart',
      path.join(FIXTURES, 'with-chart/charts/shop'),
    ).readSnapshot();
    expect(snapshot.objects).toEqual([]);
    expect(snapshot.unreadable).toEqual([
      {
        kind: 'Manifest',
        reason: expect.stringMatching(/^\.: a Helm chart/),
      },
    ]);
  });

  it('says a folder with no object in it holds none, rather than serving an empty cluster', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-manifests-'));
    fs.writeFileSync(path.join(empty, 'values.yaml'), 'replicaCount: 2\n');
    fs.writeFileSync(
      path.join(empty, 'commented-out.yaml'),
      '# kind: Pod\n---\n',
    );
    const snapshot = await new ManifestClusterSource(
      'empty',
      empty,
    ).readSnapshot();
    expect(snapshot.objects).toEqual([]);
    expect(snapshot.unreadable).toEqual([
      {
        kind: 'Manifest',
        reason: `no Kubernetes object in 2 files of the folder (${empty})`,
      },
    ]);
  });
});
