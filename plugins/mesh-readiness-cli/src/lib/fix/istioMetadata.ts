/*
 * The MR016 fix: a misspelt Istio annotation or label is renamed to the
 * one known key it was meant to be. Only keys of an Istio domain
 * (`*.istio.io/...`) that Istio does not know are considered, and only
 * when exactly one known key is within two edits (case aside): two
 * candidates, or none, is a guess, and the key is left alone.
 */
import leven from 'leven';
import { isMap, isScalar } from 'yaml';
import { Editable, Fixer, podMetadataPath } from './fixers';

const ISTIO_DOMAIN = /^([a-z0-9-]+\.)*istio\.io\//;
const MAX_EDITS = 2;

/** The one known key `key` was meant to be, or undefined (known already, not Istio's, or no single candidate). */
export function meantIstioKey(
  key: string,
  known: readonly string[],
): string | undefined {
  if (!ISTIO_DOMAIN.test(key) || known.includes(key)) return undefined;
  const lower = key.toLowerCase();
  const candidates = known.filter(
    k => leven(k.toLowerCase(), lower) <= MAX_EDITS,
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

type MetadataField = 'annotations' | 'labels';

/** A fixer for MR016, given Istio's catalogue of annotation and label keys. */
export function istioMetadataFixer(known: {
  annotations: readonly string[];
  labels: readonly string[];
}): Fixer {
  return ({ finding, workload, find }) => {
    const what: string[] = [];
    const left: string[] = [];
    /** Renames the misspelt keys of one object's metadata; `who` names the object in the notes. */
    const rename = (target: Editable, metadataPath: string[], who: string) => {
      for (const field of ['annotations', 'labels'] as const) {
        const map = target.doc.getIn([...target.path, ...metadataPath, field]);
        if (!isMap(map)) continue;
        const present = new Set(
          map.items.map(p => String(isScalar(p.key) ? p.key.value : p.key)),
        );
        for (const pair of map.items) {
          if (!isScalar(pair.key)) continue;
          const key = String(pair.key.value);
          if (!ISTIO_DOMAIN.test(key) || known[field].includes(key)) continue;
          const other: MetadataField =
            field === 'labels' ? 'annotations' : 'labels';
          const meant = meantIstioKey(key, known[field]);
          if (known[other].includes(key)) {
            // Misplaced, not misspelt: which object or field it belongs on is for a person to say.
            left.push(
              `${who}${field} ${key}: it is one of Istio's ${other}, not misspelt`,
            );
          } else if (!meant) {
            left.push(`${who}${field} ${key}: no single known key is meant`);
          } else if (present.has(meant)) {
            left.push(
              `${who}${field} ${key}: ${meant} is set too, so which one is meant is not clear`,
            );
          } else {
            // Renamed in place: the value, its position and the key's quoting stay.
            pair.key.value = meant;
            target.changed();
            what.push(`${who}${field} ${key} → ${meant}`);
          }
        }
      }
    };
    rename(workload, podMetadataPath(workload.object.kind), '');
    // The Services that select the pods, where the finding's evidence names one.
    const services = new Set<string>();
    for (const e of finding.evidence ?? []) {
      const id = `${e.namespace}/${e.name}`;
      if (e.kind !== 'Service' || services.has(id)) continue;
      services.add(id);
      const service = find('Service', e.namespace, e.name);
      if (service) rename(service, ['metadata'], `Service ${id} `);
    }
    if (what.length === 0)
      return {
        changed: false,
        why: left.join('; ') || 'no misspelt Istio key',
      };
    return {
      changed: true,
      what: [...what, ...left.map(l => `left alone: ${l}`)],
    };
  };
}
