import fs from 'node:fs';
import path from 'node:path';
import { applyWaivers, evaluate } from './engine';
import { parseManifests } from './manifests';
import { isCalendarDay, waiversOf } from './waivers';

const FIXTURE = path.join(
  __dirname,
  '__fixtures__/waivers/expiring-waivers.yaml',
);

function run(now: Date) {
  const parsed = parseManifests(
    fs.readFileSync(FIXTURE, 'utf8'),
    'expiring-waivers.yaml',
  );
  expect(parsed.errors).toEqual([]);
  const report = evaluate(
    { cluster: 'manifests', source: 'manifests', objects: parsed.objects },
    { now },
  );
  const workload = (name: string) =>
    report.workloads.find(w => w.name === name)!;
  const mr006 = (name: string) =>
    workload(name).findings.find(f => f.ruleId === 'MR006')!;
  return { report, workload, mr006 };
}

describe('waivers with a last day (mesh-readiness.io/waive-until)', () => {
  const { report, workload, mr006 } = run(new Date('2026-12-01T09:00:00Z'));

  it('counts a finding again once its waiver has expired, and says when and why it was waived', () => {
    expect(mr006('ledger')).toMatchObject({
      status: 'warn',
      expiredWaiver: {
        reason: 'the ledger port is renamed in the January release',
        until: '2020-01-31',
      },
    });
    expect(mr006('ledger').waiver).toBeUndefined();
    expect(workload('ledger').level).toBe(1);
    expect(waiversOf(workload('ledger'))).toEqual([
      expect.objectContaining({
        ruleId: 'MR006',
        until: '2020-01-31',
        state: 'expired',
      }),
    ]);
  });

  it('waives while the waiver runs', () => {
    expect(mr006('billing')).toMatchObject({
      status: 'waived',
      waivedStatus: 'warn',
      waiver: { until: '2099-12-31' },
    });
    expect(workload('billing').level).toBe(3);
    expect(waiversOf(workload('billing'))).toEqual([
      expect.objectContaining({ ruleId: 'MR006', state: 'active' }),
    ]);
  });

  it('refuses a waiver whose last day is not a date, naming the annotation and the value', () => {
    expect(mr006('refunds').status).toBe('warn');
    expect(mr006('refunds').waiver).toBeUndefined();
    const message =
      'Deployment payments/refunds: annotation mesh-readiness.io/waive-until "31/12/2026" is not a date written YYYY-MM-DD, so the waiver of MR006 is not applied';
    expect(workload('refunds').waiverErrors).toEqual([message]);
    expect(report.errors).toEqual([{ cluster: 'manifests', message }]);
  });

  it('judges expiry against the given now: the waiver applies the day before its last day, not on it', () => {
    expect(run(new Date('2020-01-30T23:59:59Z')).mr006('ledger').status).toBe(
      'waived',
    );
    expect(run(new Date('2020-01-31T00:00:00Z')).mr006('ledger').status).toBe(
      'warn',
    );
  });

  it('lifts a stored waiver whose day has come since the scan, and re-scores the workload', () => {
    const stored = run(new Date('2020-01-01T00:00:00Z')).workload('ledger');
    expect(stored.level).toBe(3);
    const later = applyWaivers(stored, {}, new Date('2026-12-01T00:00:00Z'));
    expect(later.findings.find(f => f.ruleId === 'MR006')).toMatchObject({
      status: 'warn',
      expiredWaiver: { until: '2020-01-31' },
    });
    expect(later.level).toBe(1);
  });

  it('reads only real calendar days', () => {
    expect(['2026-12-31', '2028-02-29'].map(isCalendarDay)).toEqual([
      true,
      true,
    ]);
    expect(
      [
        '2026-02-30',
        '2026-13-01',
        '31/12/2026',
        '2026-1-5',
        'tomorrow',
        '',
      ].map(isCalendarDay),
    ).toEqual([false, false, false, false, false, false]);
  });
});
