/*
 * The stored result's JSON reads back as the result itself, whatever its
 * text holds: typographic quotes, accents, emoji, quotes and backslashes,
 * control characters; and it is ASCII only, one byte a character.
 */
import { storedJson } from './storedJson';

const workloads = [
  {
    report: {
      name: 'web',
      findings: [
        {
          message: 'Create a Service in the workload’s namespace — “now”',
          evidence: [{ detail: 'grüß dich 👋 \u2028 "quoted" \\ back\u0001' }],
        },
      ],
    },
    labels: { namespace: 'shop', podLabels: { app: 'web' }, labels: {} },
  },
  {
    report: { name: 'api', findings: [] },
    labels: { namespace: 'shop', podLabels: {}, labels: { tier: 'ä' } },
  },
];
const warnings = [
  'DaemonSet: forbidden (403): the cluster’s identity may not list it',
];

it('reads back as the result JSON.stringify would have stored', () => {
  const text = storedJson(workloads, warnings);
  expect(JSON.parse(text)).toEqual({ workloads, warnings });
  expect(JSON.stringify(JSON.parse(text))).toBe(
    JSON.stringify({ workloads, warnings }),
  );
});

it('is ASCII only', () => {
  const text = storedJson(workloads, warnings);
  expect([...text].every(c => c.charCodeAt(0) < 0x7f)).toBe(true);
});

it('stores an empty result as one', () => {
  expect(JSON.parse(storedJson([], []))).toEqual({
    workloads: [],
    warnings: [],
  });
});
