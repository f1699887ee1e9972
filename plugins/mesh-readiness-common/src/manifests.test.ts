import { mayHoldObjects, parseManifests } from './manifests';

describe('parseManifests on what users paste', () => {
  it('reads multi-document files, Lists and Helm output, dropping Secrets unread', () => {
    const { objects, errors } = parseManifests(
      [
        '# Source: chart/templates/a.yaml',
        'apiVersion: v1\nkind: Service\nmetadata: {name: a}',
        '---',
        'apiVersion: v1\nkind: List\nitems:\n  - {kind: Pod, metadata: {name: p}}\n  - {kind: Secret, metadata: {name: s}, data: {k: dg==}}',
        '---',
        '',
        '---',
        'kind: ConfigMap\nmetadata: {name: c}',
      ].join('\n'),
      'f.yaml',
    );
    expect(errors).toEqual([]);
    expect(objects.map(o => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Service/a',
      'Pod/p',
    ]);
  });

  it('names the file and line of a malformed document and keeps the others', () => {
    const { objects, errors } = parseManifests(
      'kind: Pod\nmetadata: {name: ok}\n---\nkind: Pod\nmetadata:\n  name: [broken\n---\nkind: Service\nmetadata: {name: s}\n',
      'bad.yaml',
    );
    expect(objects.map(o => o.metadata?.name)).toEqual(['ok', 's']);
    expect(errors).toEqual([
      {
        file: 'bad.yaml',
        line: expect.any(Number),
        message: expect.any(String),
      },
    ]);
    expect(errors[0].line).toBeGreaterThanOrEqual(4);
  });

  it('reports scalars, lists, missing kinds and duplicate keys as errors', () => {
    const { errors } = parseManifests(
      'just a string\n---\n- a\n- b\n---\nmetadata: {name: x}\n---\nkind: Pod\nkind: Service\nmetadata: {name: y}\n',
      'odd.yaml',
    );
    expect(errors.map(e => e.message)).toEqual([
      expect.stringContaining('found string'),
      expect.stringContaining('found a list'),
      'the document has no "kind"',
      expect.stringMatching(/unique/i),
    ]);
  });

  it('names the List item that is not an object, at its own line, and counts the documents that held anything', () => {
    const list = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: never-read}',
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- null',
      '- 3',
      '- kind: Pod',
      '- apiVersion: v1',
      '- kind: ConfigMap',
      '  metadata: {name: listed}',
      '',
    ].join('\n');
    for (const fastParse of [true, false]) {
      const { objects, errors, ignored, documents } = parseManifests(
        list,
        'l.yaml',
        { fastParse },
      );
      expect(objects).toEqual([]);
      expect(errors).toEqual([
        {
          file: 'l.yaml',
          line: 10,
          message: 'items[0]: expected a Kubernetes object, found null',
        },
        {
          file: 'l.yaml',
          line: 11,
          message: 'items[1]: expected a Kubernetes object, found number',
        },
        {
          file: 'l.yaml',
          line: 12,
          message: 'items[2]: Pod has no metadata.name',
        },
        {
          file: 'l.yaml',
          line: 13,
          message: 'items[3]: the item has no "kind"',
        },
      ]);
      // A kind the rules do not read is listed at its List's line.
      expect(ignored).toEqual([
        { file: 'l.yaml', line: 7, kind: 'ConfigMap', name: 'listed' },
      ]);
      // The Secret and the List: the comment-only document holds nothing.
      expect(documents).toBe(2);
    }
  });

  it('stops an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'kind: Pod',
    ].join('\n');
    const { objects, errors } = parseManifests(bomb, 'bomb.yaml');
    expect(objects).toEqual([]);
    expect(errors[0].message).toMatch(/alias/i);
  });

  it('reads a file with a byte-order mark and Windows line ends', () => {
    const { objects, errors } = parseManifests(
      '\ufeffkind: Pod\r\nmetadata:\r\n  name: win\r\n',
      'win.yaml',
    );
    expect(errors).toEqual([]);
    expect(objects[0].metadata?.name).toBe('win');
  });
});

describe('mayHoldObjects, for a folder walk to pass over what is not a manifest', () => {
  it.each([
    ['a YAML manifest', 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n'],
    ['a JSON manifest', '{\n  "apiVersion": "v1",\n  "kind": "Pod"\n}\n'],
    [
      'a flow-style List item',
      'items:\n  - {kind: Pod, metadata: {name: p}}\n',
    ],
    [
      'a manifest with its kind misspelt',
      'apiVersion: apps/v1\nkidn: Deployment\n',
    ],
    ['a values file naming a kind', 'ingress:\n  kind: nginx\n'],
  ])('keeps %s, to be parsed', (_what, text) => {
    expect(mayHoldObjects(text)).toBe(true);
  });

  it.each([
    [
      'a Helm values file',
      'replicaCount: 2\nimage:\n  repository: nginx\n  tag: "1.27"\n',
    ],
    [
      'a package.json',
      '{\n  "name": "web",\n  "scripts": {"start": "node ."}\n}\n',
    ],
    ['a compose file', 'services:\n  web:\n    image: nginx\n'],
    [
      'keys that only start or end like one',
      'kindness: 3\nmykind: x\napiVersions: [v1]\n',
    ],
    ['an empty file', ''],
  ])('passes over %s', (_what, text) => {
    expect(mayHoldObjects(text)).toBe(false);
  });
});
