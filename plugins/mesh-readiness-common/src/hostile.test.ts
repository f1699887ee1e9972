/*
 * Whatever a user pastes gets a clear error naming file and line, or is
 * read: never a crash, a stack trace or a hang.
 */
import fc from 'fast-check';
import { evaluate } from './engine';
import { parseManifests } from './manifests';

describe('hostile manifests', () => {
  it.each([
    ['an empty file', ''],
    ['only comments', '# nothing here\n# at all\n'],
    ['only separators', '---\n---\n...\n'],
  ])('reads %s as nothing, without errors', (_name, text) => {
    expect(parseManifests(text, 'f.yaml')).toEqual({
      objects: [],
      errors: [],
      ignored: [],
      documents: 0,
    });
  });

  it('reads wrong types in the fields the rules read, and evaluates them', () => {
    const { objects, errors } = parseManifests(
      `
kind: Deployment
metadata: {name: typed, labels: [a, b]}
spec:
  template:
    metadata: {labels: "app=web", annotations: 7}
    spec:
      hostNetwork: "true"
      securityContext: {runAsUser: "1337"}
      containers: "c"
      initContainers:
        - {name: init, ports: [{containerPort: "8080"}, {containerPort: -1}, {containerPort: 99999999999999999999}]}
---
kind: Service
metadata: {name: svc}
spec: {selector: [app], ports: {port: 80}}
---
kind: StatefulSet
metadata: {name: nulls}
spec: null
`,
      'typed.yaml',
    );
    expect(errors).toEqual([]);
    const report = evaluate({ source: 'manifests', objects });
    expect(report.workloads.map(w => w.name)).toEqual(['typed', 'nulls']);
  });

  it('reports list-shaped documents, lists kinds it does not read, and keeps the good ones', () => {
    const { objects, errors, ignored } = parseManifests(
      'kind: Deploymnet\nmetadata: {name: typo}\n---\nkind: Pod\nmetadata: {name: ok}\n---\n[1, 2]\n---\n42\n',
      'f.yaml',
    );
    expect(objects.map(o => o.metadata?.name)).toEqual(['ok']);
    expect(errors.map(e => e.line)).toEqual([7, 9]);
    expect(ignored).toEqual([
      { file: 'f.yaml', line: 1, kind: 'Deploymnet', name: 'typo' },
    ]);
  });

  it('handles very deep nesting with an error or a value, not a crash', () => {
    const deep = `kind: Pod\nmetadata: {name: deep}\nspec: ${'['.repeat(
      5000,
    )}${']'.repeat(5000)}\n`;
    const result = parseManifests(deep, 'deep.yaml');
    expect(result.objects.length + result.errors.length).toBe(1);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), bytes => {
        const text = Buffer.from(bytes).toString('latin1');
        const result = parseManifests(text, 'random.bin');
        for (const e of result.errors) {
          expect(e.file).toBe('random.bin');
          expect(e.message).not.toMatch(/\n\s+at /); // no stack traces
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on YAML-ish text', () => {
    const token = fc.constantFrom(
      'kind: Pod\n',
      'metadata:\n',
      '  name: x\n',
      '---\n',
      '- ',
      '{',
      '}',
      '[',
      ']',
      ': ',
      '&a ',
      '*a ',
      '!!str ',
      '"',
      "'",
      '\t',
      '\n',
      '#',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), tokens => {
        const result = parseManifests(tokens.join(''), 'fuzz.yaml');
        const report = evaluate({
          source: 'manifests',
          objects: result.objects,
        });
        expect(report.workloads.length).toBeLessThanOrEqual(
          result.objects.length,
        );
        expect(result.errors.every(e => e.file === 'fuzz.yaml')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a file of 15,000 workloads', () => {
    const doc = (i: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w${i}\n  namespace: ns${
        i % 50
      }\nspec:\n  selector:\n    matchLabels: {app: w${i}}\n  template:\n    metadata:\n      labels: {app: w${i}, version: v1}\n    spec:\n      containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]\n`;
    const text = Array.from({ length: 15000 }, (_, i) => doc(i)).join('---\n');
    const { objects, errors } = parseManifests(text, 'big.yaml');
    expect(errors).toEqual([]);
    expect(evaluate({ source: 'manifests', objects }).workloads).toHaveLength(
      15000,
    );
  });
});
