import { KubeObject } from '../types';
import { formatSelector } from '../kube/labels';
import { nameOf } from '../kube/objects';
import { PodView, podViewsOf } from '../kube/workloads';
import { istioAtLeast } from '../target';
import { fail, istioAnalyzer, pass, Rule } from './rule';
import { servicesUnreadable } from './servicePorts';

/** MR001: every pod belongs to at least one Service. */
export const serviceAssociation: Rule = {
  id: 'MR001',
  slug: 'service-association',
  title: 'Pods belong to a Service',
  severity: 'error',
  rationale:
    'Istio’s requirements ask every pod to belong to at least one Service, even one that exposes no port; Istio dropped this in 1.20 and retired its analyzer, so on a target running 1.20 or later the finding is a warning that does not block readiness (without a known version it stays an error, as the requirements page gives it), since a pod outside every Service cannot be reached by Service name or routed by Service-based config.',
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
  docsUrl:
    'https://istio.io/v1.19/docs/ops/deployment/requirements/#pod-requirements',
  istioAnalyzer: istioAnalyzer(
    'IST0117',
    'DeploymentRequiresServiceAssociated',
  ),
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
      const services =
        pod.shape === previousShape && previous
          ? previous
          : index.servicesSelecting(pod);
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
      // Istio 1.20 dropped the requirement: such a pod joins the mesh, it is only
      // unreachable by Service name. Reported, as a warning that does not block.
      const relaxed = istioAtLeast(index.snapshot.environment, 1, 20) === true;
      return fail(
        `No Service in namespace "${workload.namespace}" selects ${
          unselected.length === 1 && unselected[0].source === 'template'
            ? 'the pod template'
            : `${unselected.length} of the workload's pods`
        }.${
          relaxed
            ? ` The target runs Istio ${
                index.snapshot.environment!.istioVersion
              }, which no longer requires a Service (since 1.20): the pods still join the mesh but cannot be reached by Service name or routed by Service-based config, so this does not block readiness.`
            : ''
        }`,
        unselected.map(pod => ({
          kind: pod.source === 'template' ? workload.kind : 'Pod',
          namespace: pod.namespace,
          name: pod.name,
          field:
            pod.source === 'template'
              ? pod.specPath.replace(/\.spec$/, '.metadata.labels')
              : 'metadata.labels',
          detail: `labels {${
            formatSelector(pod.labels) || 'none'
          }} match no Service selector`,
        })),
        relaxed ? 'warning' : undefined,
      );
    }
    return pass(
      `Selected by ${names.map(n => `Service "${n}"`).join(', ')}.`,
      names.map((name, i) => ({
        kind: 'Service',
        namespace: workload.namespace,
        name,
        field: 'spec.selector',
        detail: `selector {${formatSelector(
          selectors[i].spec?.selector,
        )}} matches the pods`,
      })),
    );
  },
};
