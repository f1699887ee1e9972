/*
 * Deterministic fixes, keyed by the rule whose finding triggers them. Each
 * edits the `yaml` Document that holds the object in place (so comments,
 * key order and quoting stay) and changes nothing it cannot be sure of:
 * it then says why instead.
 */
import { Document, isMap } from 'yaml';
import {
  CANONICAL_NAME_LABELS,
  CANONICAL_REVISION_LABELS,
  Finding,
  KubeObject,
  selectProtocol,
} from '@mesh-readiness/plugin-mesh-readiness-common';

/** An object as the fixer edits it: its Document and its path inside it. */
export interface Editable {
  doc: Document;
  path: Array<string | number>;
  object: KubeObject;
  /** Called by a fixer after it edits `doc`, so the document is written anew. */
  changed(): void;
}

export interface FixContext {
  finding: Finding;
  /** The workload the finding is about. */
  workload: Editable;
  /** Any other object of the input, e.g. the Service the evidence names. */
  find(
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Editable | undefined;
}

export type FixOutcome =
  | { changed: true; what: string[] }
  | { changed: false; why: string };

export type Fixer = (context: FixContext) => FixOutcome;

export const NATIVE_SIDECAR_ANNOTATION = 'sidecar.istio.io/nativeSidecar';
export const REWRITE_PROBES_ANNOTATION =
  'sidecar.istio.io/rewriteAppHTTPProbers';

/** Path of the pod template's metadata in a workload object. */
export function podMetadataPath(kind: string | undefined): string[] {
  if (kind === 'Pod') return ['metadata'];
  if (kind === 'CronJob')
    return ['spec', 'jobTemplate', 'spec', 'template', 'metadata'];
  return ['spec', 'template', 'metadata'];
}

function podTemplate(object: KubeObject): any {
  let node: any = object;
  for (const step of podMetadataPath(object.kind).slice(0, -1))
    node = node?.[step];
  return node ?? {};
}

/** The tag of an image reference, unless it is pinned by digest only or has none. */
export function imageTag(image: unknown): string | undefined {
  if (typeof image !== 'string') return undefined;
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(colon + 1) : undefined;
}

/** MR005: `app` from the workload's name, `version` from the first container's image tag unless `latest`. */
export const fixAppVersionLabels: Fixer = ({ workload }) => {
  const template = podTemplate(workload.object);
  const labels: Record<string, unknown> = template.metadata?.labels ?? {};
  const base = [
    ...workload.path,
    ...podMetadataPath(workload.object.kind),
    'labels',
  ];
  const what: string[] = [];
  const reasons: string[] = [];
  if (
    !CANONICAL_NAME_LABELS.some(
      l => typeof labels[l] === 'string' && labels[l] !== '',
    )
  ) {
    const name = workload.object.metadata?.name;
    if (name) {
      workload.doc.setIn([...base, 'app'], name);
      workload.changed();
      what.push(`label app: ${name}`);
    }
  }
  if (
    !CANONICAL_REVISION_LABELS.some(
      l => typeof labels[l] === 'string' && labels[l] !== '',
    )
  ) {
    const containers = Array.isArray(template.spec?.containers)
      ? template.spec.containers
      : [];
    const tag = imageTag(containers[0]?.image);
    if (tag && tag !== 'latest') {
      workload.doc.setIn([...base, 'version'], tag);
      workload.changed();
      what.push(`label version: ${tag}`);
    } else {
      reasons.push(
        `no version label: the image ${
          containers[0]?.image ?? '(none)'
        } has no tag other than latest`,
      );
    }
  }
  return what.length > 0
    ? { changed: true, what }
    : { changed: false, why: reasons.join('; ') || 'nothing to add' };
};

/** MR006: `appProtocol` on each Service port, from the protocol-prefixed name of the container port it targets. */
export const fixPortProtocol: Fixer = ({ finding, workload, find }) => {
  const what: string[] = [];
  const reasons: string[] = [];
  const containers: any[] = Array.isArray(
    podTemplate(workload.object).spec?.containers,
  )
    ? podTemplate(workload.object).spec.containers
    : [];
  const containerPorts = containers.flatMap(c =>
    Array.isArray(c?.ports) ? c.ports : [],
  );
  for (const e of finding.evidence) {
    const index = /^spec\.ports\[(\d+)\]$/.exec(e.field ?? '')?.[1];
    const service =
      e.kind === 'Service' && index !== undefined
        ? find('Service', e.namespace, e.name)
        : undefined;
    if (!service || index === undefined) continue;
    const port = service.object.spec?.ports?.[Number(index)];
    if (!port) continue;
    const target = port.targetPort ?? port.port;
    const targeted = containerPorts.find(cp =>
      typeof target === 'string'
        ? cp?.name === target
        : cp?.containerPort === Number(target),
    );
    const label = `Service ${e.namespace}/${e.name} port ${
      port.name ?? port.port
    }`;
    const selection =
      targeted && typeof targeted.name === 'string'
        ? selectProtocol({ name: targeted.name })
        : undefined;
    if (!selection || !selection.explicit || selection.protocol === 'UDP') {
      reasons.push(
        targeted
          ? `${label}: the container port it targets (${
              targeted.name ?? targeted.containerPort
            }) names no protocol; name the port <protocol>[-<suffix>] or set appProtocol`
          : `${label}: no container port of the workload matches targetPort ${target}`,
      );
      continue;
    }
    const appProtocol = String(selection.protocol).toLowerCase();
    service.doc.setIn(
      [...service.path, 'spec', 'ports', Number(index), 'appProtocol'],
      appProtocol,
    );
    service.changed();
    what.push(
      `${label}: appProtocol ${appProtocol} (from container port ${targeted.name})`,
    );
  }
  if (what.length === 0)
    return {
      changed: false,
      why: reasons.join('; ') || 'no Service port to change',
    };
  return {
    changed: true,
    what: [...what, ...reasons.map(r => `left alone: ${r}`)],
  };
};

/** MR011: the annotation that turns probe rewriting off goes; the sidecar then rewrites HTTP probes (the default). */
export const fixProbeRewrite: Fixer = ({ workload }) => {
  const path = [
    ...workload.path,
    ...podMetadataPath(workload.object.kind),
    'annotations',
  ];
  const annotations = workload.doc.getIn(path);
  if (!isMap(annotations) || !annotations.has(REWRITE_PROBES_ANNOTATION)) {
    return {
      changed: false,
      why: `no ${REWRITE_PROBES_ANNOTATION} annotation on the pod template`,
    };
  }
  annotations.delete(REWRITE_PROBES_ANNOTATION);
  if (annotations.items.length === 0) workload.doc.deleteIn(path);
  workload.changed();
  return {
    changed: true,
    what: [`removed annotation ${REWRITE_PROBES_ANNOTATION}`],
  };
};

/** MR013: a Job's or CronJob's pods get a native sidecar, which ends with the pod. */
export const fixJobCompletion: Fixer = ({ workload }) => {
  if (workload.object.kind !== 'Job' && workload.object.kind !== 'CronJob') {
    return {
      changed: false,
      why: 'only Jobs and CronJobs need a native sidecar to complete',
    };
  }
  const path = [
    ...workload.path,
    ...podMetadataPath(workload.object.kind),
    'annotations',
    NATIVE_SIDECAR_ANNOTATION,
  ];
  if (workload.doc.getIn(path) === 'true')
    return { changed: false, why: 'the pods already ask for a native sidecar' };
  workload.doc.setIn(path, 'true');
  workload.changed();
  return {
    changed: true,
    what: [`annotation ${NATIVE_SIDECAR_ANNOTATION}: "true"`],
  };
};
