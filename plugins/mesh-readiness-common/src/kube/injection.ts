/*
 * Whether Istio's default injection webhooks would inject a pod, and
 * whether the pod is in ambient mode, as Istio decides them.
 */
import { NamespaceInfo } from './snapshotIndex';
import { PodView } from './workloads';

export const INJECT_KEY = 'sidecar.istio.io/inject';
export const INJECTION_NAMESPACE_LABEL = 'istio-injection';
export const REVISION_LABEL = 'istio.io/rev';
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/**
 * The reason a pod opts itself out of the sidecar, if it does. The label
 * wins over the (deprecated) annotation of the same name.
 */
export function injectionOptOut(pod: PodView): string | undefined {
  const label = pod.labels[INJECT_KEY];
  if (label !== undefined) {
    return label === 'false' ? `label ${INJECT_KEY}: "false"` : undefined;
  }
  // Current injectors compare exactly: "false" opts out, anything else
  // falls back to the namespace's policy.
  if (pod.annotations[INJECT_KEY] === 'false') {
    return `annotation ${INJECT_KEY}: "false"`;
  }
  return undefined;
}

export type InjectionState = 'sidecar' | 'ambient' | 'off' | 'unknown';

export interface InjectionDecision {
  state: InjectionState;
  /** Why, in a sentence fragment. */
  reason: string;
}

/** Decides injection for a pod template in its namespace. */
export function decideInjection(
  pod: PodView,
  namespace: NamespaceInfo | undefined,
): InjectionDecision {
  const optOut = injectionOptOut(pod);
  if (optOut) return { state: 'off', reason: `the pod opts out with the ${optOut}` };

  const podMode = pod.labels[DATAPLANE_MODE_LABEL];
  if (podMode === 'ambient') {
    return { state: 'ambient', reason: `the pod is labelled ${DATAPLANE_MODE_LABEL}=ambient` };
  }
  if (!namespace) {
    return {
      state: 'unknown',
      reason: `the labels of namespace "${pod.namespace}" are unknown (its Namespace object is not in the input)`,
    };
  }
  const ns = namespace.labels;
  const podLabel = pod.labels[INJECT_KEY];
  const injection = ns[INJECTION_NAMESPACE_LABEL];
  if (injection === 'disabled') {
    return {
      state: 'off',
      reason: `namespace "${namespace.name}" is labelled ${INJECTION_NAMESPACE_LABEL}=disabled`,
    };
  }
  if (injection === 'enabled') {
    return {
      state: 'sidecar',
      reason: `namespace "${namespace.name}" is labelled ${INJECTION_NAMESPACE_LABEL}=enabled`,
    };
  }
  if (ns[REVISION_LABEL]) {
    return {
      state: 'sidecar',
      reason: `namespace "${namespace.name}" is labelled ${REVISION_LABEL}=${ns[REVISION_LABEL]}`,
    };
  }
  if (ns[DATAPLANE_MODE_LABEL] === 'ambient' && podMode !== 'none') {
    return {
      state: 'ambient',
      reason: `namespace "${namespace.name}" is labelled ${DATAPLANE_MODE_LABEL}=ambient`,
    };
  }
  if (podLabel === 'true') {
    return { state: 'sidecar', reason: `the pod is labelled ${INJECT_KEY}: "true"` };
  }
  if (pod.labels[REVISION_LABEL]) {
    return {
      state: 'sidecar',
      reason: `the pod is labelled ${REVISION_LABEL}=${pod.labels[REVISION_LABEL]}`,
    };
  }
  const annotationOnly = pod.annotations[INJECT_KEY] !== undefined;
  return {
    state: 'off',
    reason: `namespace "${namespace.name}" has no ${INJECTION_NAMESPACE_LABEL} or ${REVISION_LABEL} label${
      annotationOnly ? ` and the ${INJECT_KEY} annotation alone turns nothing on` : ''
    }`,
  };
}
