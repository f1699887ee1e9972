import { ConfigReader } from '@backstage/config';
import { readMeshReadinessConfig } from './config';

const withScan = (scan: { concurrency: number | string }) =>
  new ConfigReader({ meshReadiness: { scan } });

describe('the plugin config', () => {
  it('reads four clusters at once unless told otherwise', () => {
    expect(readMeshReadinessConfig(new ConfigReader({})).scanConcurrency).toBe(
      4,
    );
    expect(
      readMeshReadinessConfig(withScan({ concurrency: 12 })).scanConcurrency,
    ).toBe(12);
  });

  it.each([0, -2, 1.5, 'four'])(
    'refuses a read concurrency of %p, naming the key and the value',
    value => {
      expect(() =>
        readMeshReadinessConfig(withScan({ concurrency: value })),
      ).toThrow(
        `Invalid config at meshReadiness.scan.concurrency: expected a whole number of clusters read at once, at least 1 (default 4), got ${JSON.stringify(
          value,
        )}`,
      );
    },
  );
});
