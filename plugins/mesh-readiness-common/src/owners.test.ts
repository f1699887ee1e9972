/*
 * Workloads whose own object the snapshot does not hold: a kind the
 * identity may not list, a controller the engine does not model, an owner
 * deleted since. What they own is still checked, under the owner's name,
 * and the report says why it may be partial.
 */
import fs from 'node:fs';
import path from 'node:path';
import { evaluate } from './engine';
import { parseManifests } from './manifests';
import { ClusterSnapshot, Report, UnreadableKind } from './types';

const FIXTURES = path.join(__dirname, '__fixtures__', 'owners');

function snapshot(
  file: string,
  unreadable: UnreadableKind[] = [],
): ClusterSnapshot {
  const parsed = parseManifests(
    fs.readFileSync(path.join(FIXTURES, file), 'utf8'),
    file,
  );
  expect(parsed.errors).toEqual([]);
  return {
    cluster: 'live',
    source: 'live',
    objects: parsed.objects,
    unreadable,
  };
}

const names = (report: Report) =>
  report.workloads.map(w => `${w.kind}/${w.namespace}/${w.name}`);
const finding = (report: Report, workload: string, ruleId: string) =>
  report.workloads
    .find(w => `${w.kind}/${w.namespace}/${w.name}` === workload)!
    .findings.find(f => f.ruleId === ruleId)!;

describe('workloads known only by what they own', () => {
  it('checks the pods of a DaemonSet the identity may not list, under the DaemonSet', () => {
    const report = evaluate(
      snapshot('unreadable-daemonset.yaml', [
        { kind: 'DaemonSet', reason: 'DaemonSet forbidden (403)' },
      ]),
    );
    expect(names(report)).toEqual(['DaemonSet/observability/node-agent']);
    const [agent] = report.workloads;
    expect(agent.notice).toContain(
      'could not be read (DaemonSet forbidden (403))',
    );
    expect(agent.notice).toContain('the pods it owns');
    expect(agent.notice).toContain(
      'waivers annotated on the DaemonSet are not seen',
    );
    // The pods run as Istio's proxy user: that is still found.
    expect(
      finding(report, 'DaemonSet/observability/node-agent', 'MR003').status,
    ).toBe('fail');
    expect(
      finding(report, 'DaemonSet/observability/node-agent', 'MR001').status,
    ).toBe('pass');
    // Each pod counted once, though the first also stands in for the template.
    expect(
      finding(report, 'DaemonSet/observability/node-agent', 'MR008'),
    ).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('All 2 running pods'),
    });
    expect(agent.ready).toBe(false);
    // Its labels were read on its first pod, and the evidence says so.
    expect(
      finding(report, 'DaemonSet/observability/node-agent', 'MR005').evidence,
    ).toEqual([
      expect.objectContaining({
        kind: 'Pod',
        name: 'node-agent-7xk2p',
        detail: 'name "node-agent" from label app',
      }),
      expect.objectContaining({
        kind: 'Pod',
        name: 'node-agent-7xk2p',
        detail: 'revision "v3" from label version',
      }),
    ]);
  });

  it('says when a listable owner is simply missing', () => {
    const report = evaluate(snapshot('unreadable-daemonset.yaml'));
    expect(report.workloads[0].notice).toContain('is not in the snapshot');
  });

  it('checks an Argo Rollout through the ReplicaSets it owns, scaled to zero or not', () => {
    const report = evaluate(snapshot('argo-rollout.yaml'));
    expect(names(report)).toEqual([
      'Rollout/shop/checkout',
      'Rollout/shop/search',
    ]);
    const [checkout, search] = report.workloads;
    expect(checkout.notice).toContain('is a kind mesh-readiness does not read');
    // The template is the live revision's ReplicaSet, whichever is listed first.
    expect(checkout.notice).toContain(
      'the ReplicaSet checkout-6c7d9 it owns and its pods',
    );
    expect(finding(report, 'Rollout/shop/checkout', 'MR007')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('15001'),
    });
    expect(finding(report, 'Rollout/shop/checkout', 'MR008').message).toContain(
      'All 1 running pods',
    );
    // No pod left: the template its ReplicaSet holds is still checked.
    expect(search.notice).toContain(
      'come from the ReplicaSet search-7f4e2 it owns, and waivers',
    );
    // Evidence names the object the field is in: the ReplicaSet, not the Rollout nobody read.
    expect(finding(report, 'Rollout/shop/search', 'MR009')).toMatchObject({
      status: 'fail',
      evidence: [
        {
          kind: 'ReplicaSet',
          namespace: 'shop',
          name: 'search-7f4e2',
          field: 'spec.template.spec.hostNetwork',
        },
      ],
    });
  });

  it('keeps each static pod a workload of its own, not one per Node', () => {
    const report = evaluate(snapshot('static-pod.yaml'));
    expect(names(report)).toEqual([
      'Pod/kube-system/etcd-node-1',
      'Pod/kube-system/kube-scheduler-node-1',
    ]);
    expect(report.workloads.map(w => w.notice)).toEqual([undefined, undefined]);
  });
});
