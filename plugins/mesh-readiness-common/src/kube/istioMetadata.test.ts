import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { ISTIO_METADATA } from './istioMetadata.generated';

describe('the Istio metadata table', () => {
  it('holds exactly what data/istio says (run node scripts/istio-metadata.js when it does not)', () => {
    const read = (file: string, key: string) =>
      parse(
        fs.readFileSync(
          path.resolve(__dirname, '../../data/istio', file),
          'utf8',
        ),
      )[key].map((e: any) => ({
        name: e.name,
        deprecated: e.deprecated === true,
        resources: [...(e.resources ?? [])].sort(),
      }));
    expect(ISTIO_METADATA).toEqual({
      annotations: read('annotations.yaml', 'annotations'),
      labels: read('labels.yaml', 'labels'),
    });
  });
});
