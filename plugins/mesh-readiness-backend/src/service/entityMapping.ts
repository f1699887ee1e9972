/*
 * Catalog entity to Kubernetes workloads, through the annotations the
 * Kubernetes plugin already defines, so an adopter configures nothing new.
 */
import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  LabelSelector,
  Labels,
  labelSelectorMatches,
  parseLabelSelector,
} from '@mesh-readiness/plugin-mesh-readiness-common';

export type EntityMapping =
  | {
      mapped: true;
      selector: LabelSelector;
      /** Described for people: which annotation maps it. */
      describe: string;
      namespace?: string;
      cluster?: string;
    }
  | {
      mapped: false;
      reason: string;
      suggestedAnnotations: Record<string, string>;
    };

export function mappingOf(entity: Entity): EntityMapping {
  const annotations = entity.metadata.annotations ?? {};
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim();
  const selectorText =
    annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
  const namespace =
    annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
  const cluster =
    annotations[KUBERNETES_CLUSTER_ANNOTATION]?.trim() || undefined;
  if (selectorText) {
    try {
      return {
        mapped: true,
        selector: parseLabelSelector(selectorText),
        describe: `${KUBERNETES_LABEL_SELECTOR_ANNOTATION}: ${selectorText}`,
        namespace,
        cluster,
      };
    } catch (e) {
      return {
        mapped: false,
        reason: `The ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation cannot be read: ${
          (e as Error).message
        }`,
        suggestedAnnotations: {
          [KUBERNETES_LABEL_SELECTOR_ANNOTATION]: 'app=my-service',
        },
      };
    }
  }
  if (id) {
    return {
      mapped: true,
      selector: { matchLabels: { [KUBERNETES_ID_ANNOTATION]: id } },
      describe: `${KUBERNETES_ID_ANNOTATION}: ${id}`,
      namespace,
      cluster,
    };
  }
  return {
    mapped: false,
    reason: `This component is not mapped to Kubernetes workloads. Add the ${KUBERNETES_ID_ANNOTATION} annotation to its catalog-info.yaml and the label backstage.io/kubernetes-id with the same value to its pods, or a ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation that selects them.`,
    suggestedAnnotations: { [KUBERNETES_ID_ANNOTATION]: entity.metadata.name },
  };
}

/** What the store keeps of a workload so mappings can be matched later. */
export interface WorkloadLabels {
  namespace: string;
  /** Pod template labels. */
  podLabels: Labels;
  /** The workload object's own labels. */
  labels: Labels;
}

/** A workload belongs to an entity when its pods or itself match the selector. */
export function workloadMatches(
  mapping: Extract<EntityMapping, { mapped: true }>,
  cluster: string,
  workload: WorkloadLabels,
): boolean {
  if (mapping.cluster && mapping.cluster !== cluster) return false;
  if (mapping.namespace && mapping.namespace !== workload.namespace)
    return false;
  return (
    labelSelectorMatches(mapping.selector, workload.podLabels) ||
    labelSelectorMatches(mapping.selector, workload.labels)
  );
}
