/*
 * Pods of one shape share their per-pod work, and shapes are compared
 * without the fields POD_SPEC_UNREAD and CONTAINER_UNREAD name. A rule that
 * reads one of them would silently see another pod's value: this runs every
 * rule fixture with those fields watched and names any rule that reads one.
 */
import fs from 'fs';
import path from 'path';
import { evaluate } from '../engine';
import { parseManifests } from '../manifests';
import { parseFixtureHeader } from '../testUtils';
import { FIXTURES_DIR, fixtureFiles } from '../rules/__fixtures__/harness';
import { RULES } from '../rules';
import { KubeObject } from '../types';
import { CONTAINER_UNREAD, POD_SPEC_UNREAD } from './podShape';

/** A copy of the object whose unread fields record who reads them. */
function watched<T extends object>(
  target: T,
  unread: ReadonlySet<string>,
  reads: string[],
  where: string,
): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      if (typeof key === 'string' && unread.has(key))
        reads.push(`${where}.${key}`);
      return Reflect.get(obj, key, receiver);
    },
  });
}

function podSpecHolder(obj: KubeObject): Record<string, any> | undefined {
  if (obj.kind === 'Pod') return obj;
  if (obj.kind === 'CronJob') return obj.spec?.jobTemplate?.spec?.template;
  return obj.spec?.template;
}

function watchPods(objects: KubeObject[], reads: string[]): KubeObject[] {
  return objects.map(o => {
    const copy = JSON.parse(JSON.stringify(o));
    const holder = podSpecHolder(copy);
    if (!holder || typeof holder.spec !== 'object' || holder.spec === null)
      return copy;
    const spec = holder.spec;
    for (const list of [
      'containers',
      'initContainers',
      'ephemeralContainers',
    ]) {
      if (Array.isArray(spec[list])) {
        spec[list] = spec[list].map((c: any, i: number) =>
          c && typeof c === 'object'
            ? watched(c, CONTAINER_UNREAD, reads, `spec.${list}[${i}]`)
            : c,
        );
      }
    }
    holder.spec = watched(spec, POD_SPEC_UNREAD, reads, 'spec');
    return copy;
  });
}

const files = fs
  .readdirSync(FIXTURES_DIR)
  .filter(d => /^MR\d{3}$/.test(d))
  .flatMap(rule =>
    fixtureFiles(rule).map(f => [`${rule}/${path.basename(f)}`, f]),
  );

describe('the pod fields rules read', () => {
  it.each(RULES.map(r => [r.id]))(
    '%s reads no pod field the shape comparison ignores, on any fixture',
    ruleId => {
      for (const [, file] of files) {
        const text = fs.readFileSync(file, 'utf8');
        const header = parseFixtureHeader(text);
        const reads: string[] = [];
        const objects = watchPods(parseManifests(text, file).objects, reads);
        evaluate(
          {
            source: header.source,
            objects,
            environment: header.environment,
            unreadable: header.unreadable,
          },
          { rules: [ruleId] },
        );
        expect({ file: path.relative(FIXTURES_DIR, file), reads }).toEqual({
          file: path.relative(FIXTURES_DIR, file),
          reads: [],
        });
      }
    },
  );

  it('would notice a rule that reads one', () => {
    const reads: string[] = [];
    const [pod] = watchPods(
      [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          spec: {
            nodeName: 'n1',
            containers: [{ name: 'c', volumeMounts: [] }],
          },
        },
      ],
      reads,
    );
    expect([pod.spec.nodeName, pod.spec.containers[0].volumeMounts]).toEqual([
      'n1',
      [],
    ]);
    expect(reads).toEqual(['spec.nodeName', 'spec.containers[0].volumeMounts']);
  });
});
