import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, Node, parseDocument } from 'yaml';
import { splitDocuments } from '@mesh-readiness/plugin-mesh-readiness-common';
import { repositoryYamlFiles } from '@mesh-readiness/plugin-mesh-readiness-common/testUtils';
import { documentPositions } from './positions';

const REPO = path.resolve(__dirname, '../../../..');

/** Every path in a document with the offset the yaml library gives it: the key's for a mapping entry, the item's for a list entry. */
function yamlOffsets(
  node: unknown,
  prefix: Array<string | number> = [],
  out: Array<[Array<string | number>, number]> = [],
) {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
      const p = [...prefix, pair.key.value];
      out.push([p, pair.key.range![0]]);
      yamlOffsets(pair.value, p, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = [...prefix, i];
      if (isMap(item) || isSeq(item)) out.push([p, (item as Node).range![0]]);
      yamlOffsets(item, p, out);
    });
  }
  return out;
}

describe('positions from js-yaml', () => {
  const documents = repositoryYamlFiles(REPO).flatMap(file =>
    splitDocuments(fs.readFileSync(file, 'utf8').replace(/^\ufeff/, '')).map(
      (d, i) => [`${path.relative(REPO, file)} #${i}`, d.text] as const,
    ),
  );

  it('has documents to compare', () => {
    expect(documents.length).toBeGreaterThan(100);
  });

  it.each(documents)(
    '%s: every field it places is where the yaml library places it',
    (_, text) => {
      const doc = parseDocument(text, { uniqueKeys: false });
      if (doc.errors.length > 0) return; // unreadable documents are never located
      const positions = documentPositions(text);
      const expected = yamlOffsets(doc.contents);
      const placed = expected.filter(
        ([p]) => positions?.offsetOf(p) !== undefined,
      );
      for (const [p, offset] of placed)
        expect({ path: p.join('.'), offset: positions!.offsetOf(p) }).toEqual({
          path: p.join('.'),
          offset,
        });
    },
  );

  const isBlockStyle = (text: string) =>
    !/[{[]/.test(text.replace(/#.*$/gm, '').replace(/["'][^"'\n]*["']/g, ''));
  const blockStyle = documents.filter(
    ([, text]) => isBlockStyle(text) && parseDocument(text).errors.length === 0,
  );

  it.each(blockStyle)(
    '%s: in block style, it places every field without the yaml library',
    (_, text) => {
      const positions = documentPositions(text);
      const unplaced = yamlOffsets(parseDocument(text).contents).filter(
        ([p]) => positions?.offsetOf(p) === undefined,
      );
      expect(unplaced.map(([p]) => p.join('.'))).toEqual([]);
    },
  );

  it('says nothing rather than guess in flow style', () => {
    const positions = documentPositions(
      'metadata: {name: a, labels: {app: a}}\n',
    );
    expect(positions?.offsetOf(['metadata'])).toBe(0);
    expect(positions?.offsetOf(['metadata', 'labels'])).toBeUndefined();
  });
});
