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
  /**
   * A label that asked for the other data plane and lost, e.g. a pod
   * labelled ambient that the injector still gives a sidecar (MR012).
   */
  overruled?: string;
}

/** Why the injector's webhooks select the pod, when they do (Istio's `mutatingwebhook.yaml`). */
function injectorSelects(
  pod: PodView,
  namespace: NamespaceInfo,
): string | undefined {
  const ns = namespace.labels;
  const injection = ns[INJECTION_NAMESPACE_LABEL];
  if (injection === 'enabled') {
    return `namespace "${namespace.name}" is labelled ${INJECTION_NAMESPACE_LABEL}=enabled`;
  }
  // Every other webhook requires the namespace to have no istio-injection label.
  if (injection !== undefined) return undefined;
  if (ns[REVISION_LABEL]) {
    return `namespace "${namespace.name}" is labelled ${REVISION_LABEL}=${ns[REVISION_LABEL]}`;
  }
  if (pod.labels[INJECT_KEY] === 'true')
    return `the pod is labelled ${INJECT_KEY}: "true"`;
  if (pod.labels[REVISION_LABEL])
    return `the pod is labelled ${REVISION_LABEL}=${pod.labels[REVISION_LABEL]}`;
  return undefined;
}

/** Why the pod asks for ambient, when it does: its own label, else its namespace's. */
function ambientRequest(
  pod: PodView,
  namespace: NamespaceInfo,
): string | undefined {
  const podMode = pod.labels[DATAPLANE_MODE_LABEL];
  if (podMode === 'ambient')
    return `the pod is labelled ${DATAPLANE_MODE_LABEL}=ambient`;
  if (podMode === 'none') return undefined;
  if (namespace.labels[DATAPLANE_MODE_LABEL] === 'ambient') {
    return `namespace "${namespace.name}" is labelled ${DATAPLANE_MODE_LABEL}=ambient`;
  }
  return undefined;
}

/**
 * Decides injection for a pod template in its namespace. The injector's
 * webhooks ignore `istio.io/dataplane-mode`, and ambient's node agent
 * leaves pods with a sidecar alone: where both ask, the sidecar wins.
 */
export function decideInjection(
  pod: PodView,
  namespace: NamespaceInfo | undefined,
): InjectionDecision {
  const optOut = injectionOptOut(pod);
  if (!namespace) {
    // Even a pod labelled ambient gets a sidecar in an istio-injection=enabled
    // namespace, so without the namespace's labels nothing is known.
    if (optOut && pod.labels[DATAPLANE_MODE_LABEL] !== 'ambient') {
      return { state: 'off', reason: `the pod opts out with the ${optOut}` };
    }
    return {
      state: 'unknown',
      reason: `the labels of namespace "${pod.namespace}" are unknown (its Namespace object is not in the input)`,
    };
  }
  const ambient = ambientRequest(pod, namespace);
  const sidecar = optOut ? undefined : injectorSelects(pod, namespace);
  if (sidecar) {
    return ambient
      ? {
          state: 'sidecar',
          reason: `${sidecar}, and the sidecar wins over ambient`,
          overruled: ambient,
        }
      : { state: 'sidecar', reason: sidecar };
  }
  if (ambient) return { state: 'ambient', reason: ambient };
  if (optOut)
    return { state: 'off', reason: `the pod opts out with the ${optOut}` };
  if (namespace.labels[INJECTION_NAMESPACE_LABEL] === 'disabled') {
    return {
      state: 'off',
      reason: `namespace "${namespace.name}" is labelled ${INJECTION_NAMESPACE_LABEL}=disabled`,
    };
  }
  const annotationOnly = pod.annotations[INJECT_KEY] !== undefined;
  return {
    state: 'off',
    reason: `namespace "${
      namespace.name
    }" has no ${INJECTION_NAMESPACE_LABEL} or ${REVISION_LABEL} label${
      annotationOnly
        ? ` and the ${INJECT_KEY} annotation alone turns nothing on`
        : ''
    }`,
  };
}
