import fs from 'node:fs';
import path from 'node:path';
import { parseManifests } from './manifests';
import { splitDocuments } from './manifestDocuments';
import { repositoryYamlFiles } from './testUtils';

const REPO = path.resolve(__dirname, '../../..');

describe('the fast manifest parse', () => {
  const files = repositoryYamlFiles(REPO);

  it('finds the fixtures it compares', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it.each(files.map(f => [path.relative(REPO, f), f]))(
    'reads %s exactly as the yaml library does',
    (_, file) => {
      const text = fs.readFileSync(file, 'utf8');
      const fast = parseManifests(text, 'f.yaml');
      const reference = parseManifests(text, 'f.yaml', { fastParse: false });
      expect(fast.objects).toEqual(reference.objects);
      expect(fast.errors).toEqual(reference.errors);
      expect(fast.ignored).toEqual(reference.ignored);
    },
  );

  it('cuts a stream at every `---` line and nowhere else', () => {
    const text =
      'a: 1\n---\nb: |\n  ---\n  not a document\n--- # second\nc: 3\r\n---\r\nd: 4\n';
    expect(
      splitDocuments(text).map(d => [d.line, d.text.split('\n')[0]]),
    ).toEqual([
      [1, 'a: 1'],
      [2, '---'],
      [6, '--- # second'],
      [8, '---\r'],
    ]);
  });

  it('gives the line of each broken document and keeps the rest, as before', () => {
    const text = [
      'kind: Pod\nmetadata: {name: a}',
      '---\n# a comment first\nkind: ConfigMap\nmetadata: {name: c}',
      '---\nkind: Pod\nmetadata:\n  name: [broken',
      '---\nkind: Pod\nkind: Service\nmetadata: {name: dup}',
      '---\nkind: Pod\nmetadata: {name: z}\n',
    ].join('\n');
    const parsed = parseManifests(text, 'f.yaml');
    expect(parsed.objects.map(o => o.metadata?.name)).toEqual(['a', 'z']);
    expect(parsed.ignored).toEqual([
      { file: 'f.yaml', line: 5, kind: 'ConfigMap', name: 'c' },
    ]);
    expect(parsed.errors.map(e => [e.line, e.message])).toEqual([
      [expect.any(Number), expect.any(String)],
      [13, expect.stringMatching(/unique/i)],
    ]);
    expect(parsed.errors[0].line).toBeGreaterThanOrEqual(8);
    expect(parsed.errors[0].line).toBeLessThanOrEqual(11);
  });

  it.each([
    [
      'a clean file, parsed whole',
      '# Source: chart/a.yaml\n---\nkind: Pod\nmetadata: {name: a}\n---\n# empty\n---\nkind: ConfigMap\nmetadata: {name: c}\n---\n\n  kind: Service\n  metadata: {name: s}\n',
    ],
    [
      'a file with a null document, parsed document by document',
      'kind: Pod\nmetadata: {name: a}\n---\n~\n---\nkind: ConfigMap\nmetadata: {name: c}\n---\nkind: Service\nmetadata: {name: s}\n',
    ],
  ])('pairs every object of %s with its own document and line', (_, text) => {
    const sources = new Map();
    const referenceSources = new Map();
    const parsed = parseManifests(text, 'f.yaml', { sources });
    const reference = parseManifests(text, 'f.yaml', {
      fastParse: false,
      sources: referenceSources,
    });
    expect(parsed.objects.map(o => o.metadata?.name)).toEqual(['a', 's']);
    expect(parsed.ignored).toEqual(reference.ignored);
    expect(parsed.objects.map(o => sources.get(o).document.line)).toEqual(
      reference.objects.map(o => referenceSources.get(o).document.line),
    );
    expect(parsed.ignored[0].line).toBe(
      text.split('\n').indexOf('kind: ConfigMap') + 1,
    );
  });

  it('reads what the two parsers differ on with the yaml library', () => {
    const parsed = parseManifests(
      'kind: Pod\nmetadata: {name: p, labels: {n: 0b11}}\n',
      'f.yaml',
    );
    expect(parsed.objects[0].metadata?.labels).toEqual({ n: '0b11' });
  });
});
