import { KubeObject } from '../types';
import { formatSelector } from '../kube/labels';
import { nameOf } from '../kube/objects';
import { PodView, podViewsOf } from '../kube/workloads';
import { fail, istioAnalyzer, pass, Rule } from './rule';
import { servicesUnreadable } from './servicePorts';

/** MR001: every pod belongs to at least one Service. */
export const serviceAssociation: Rule = {
  id: 'MR001',
  slug: 'service-association',
  title: 'Pods belong to a Service',
  severity: 'error',
  rationale:
    'Istio’s requirements ask every pod to belong to at least one Service, even one that exposes no port; Istio stopped enforcing this in 1.20 and retired its analyzer, but the requirements page and many meshes still rely on it for routing and telemetry.',
  remediation:
    'Create a Service in the workload’s namespace whose selector matches the pod template labels.',
  remediationSnippet: `apiVersion: v1
kind: Service
metadata:
  name: my-app
spec:
  selector:
    app: my-app
  ports:
    - name: http
      port: 80
      targetPort: 8080`,
  docsUrl: 'https://istio.io/v1.19/docs/ops/deployment/requirements/#pod-requirements',
  istioAnalyzer: istioAnalyzer('IST0117', 'DeploymentRequiresServiceAssociated'),
  onboardingOrder: 3,
  check({ workload, index }) {
    const unreadable = servicesUnreadable(workload, index);
    if (unreadable) return unreadable;

    const unselected = [];
    // Selecting Services by name, the first of each name kept, in order:
    // two arrays rather than a map, as a workload has few of them.
    const names: string[] = [];
    const selectors: KubeObject[] = [];
    let seen: Set<string> | undefined; // once there are many
    let previous: KubeObject[] | undefined;
    let previousShape: PodView | undefined;
    for (const pod of podViewsOf(workload)) {
      // A pod of the same shape as the one before is selected by the same list.
      const services = pod.shape === previousShape && previous ? previous : index.servicesSelecting(pod);
      previousShape = pod.shape;
      if (services.length === 0) unselected.push(pod);
      // The same list as the pod before (the same shape) adds no Service.
      if (services === previous) continue;
      previous = services;
      for (const s of services) {
        const name = nameOf(s);
        if (seen ? seen.has(name) : names.includes(name)) continue;
        names.push(name);
        if (seen) seen.add(name);
        else if (names.length > 32) seen = new Set(names);
        selectors.push(s);
      }
    }
    if (unselected.length > 0) {
      return fail(
        `No Service in namespace "${workload.namespace}" selects ${
          unselected.length === 1 && unselected[0].source === 'template'
            ? 'the pod template'
            : `${unselected.length} of the workload's pods`
        }.`,
        unselected.map(pod => ({
          kind: pod.source === 'template' ? workload.kind : 'Pod',
          namespace: pod.namespace,
          name: pod.name,
          field: pod.source === 'template' ? pod.specPath.replace(/\.spec$/, '.metadata.labels') : 'metadata.labels',
          detail: `labels {${formatSelector(pod.labels) || 'none'}} match no Service selector`,
        })),
      );
    }
    return pass(
      `Selected by ${names.map(n => `Service "${n}"`).join(', ')}.`,
      names.map((name, i) => ({
        kind: 'Service',
        namespace: workload.namespace,
        name,
        field: 'spec.selector',
        detail: `selector {${formatSelector(selectors[i].spec?.selector)}} matches the pods`,
      })),
    );
  },
};
