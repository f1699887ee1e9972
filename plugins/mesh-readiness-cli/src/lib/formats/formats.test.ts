import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RULE_DEFINITIONS } from '@mesh-readiness/plugin-mesh-readiness-common';
import { check } from '../check';
import { escapeData, escapeProperty } from './github';

const GATE = path.resolve(__dirname, '../../__fixtures__/gate');
const SHOP = path.join(GATE, 'shop.yaml');
const PROFILE = path.join(GATE, 'project/.mesh-readiness.yaml');
const KUBECTL_LIST = path.resolve(
  __dirname,
  '../../__fixtures__/mixed/02-kubectl-list.yaml',
);
const BROKEN = path.resolve(
  __dirname,
  '../../__fixtures__/mixed/01-broken.yaml',
);
const relative = (file: string) =>
  path.relative(process.cwd(), file).split(path.sep).join('/');

/** The line of the first line of `file` that matches, 1-based: the tests name lines by their text. */
function lineOf(file: string, pattern: RegExp, after = 0): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((l, i) => i >= after && pattern.test(l));
  if (index < 0) throw new Error(`${pattern} not in ${file}`);
  return index + 1;
}

describe('--format sarif', () => {
  const schema = JSON.parse(
    fs.readFileSync(
      require.resolve(
        '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
      ),
      'utf8',
    ),
  );
  // The schema's pattern for languages is not valid with the u flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('is valid SARIF 2.1.0, with every rule and its help URI in the driver', async () => {
    const result = await check([SHOP, BROKEN], {
      format: 'sarif',
      target: { file: PROFILE },
    });
    const log = JSON.parse(result.stdout);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    // The schema does check: a run without its tool is refused.
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual(
      RULE_DEFINITIONS.map(r => r.id),
    );
    for (const rule of rules)
      expect(rule.helpUri).toMatch(/^https:\/\/istio\.io\//);
    // The unreadable file is a notification of the run, with its line.
    expect(log.runs[0].invocations[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [
        {
          level: 'error',
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: relative(BROKEN) },
                region: { startLine: 11 },
              },
            },
          ],
        },
      ],
    });
  });

  it('puts each result on the line and column of the field its evidence names, in the document that holds it', async () => {
    const log = JSON.parse(
      (await check([SHOP], { format: 'sarif', target: { file: PROFILE } }))
        .stdout,
    );
    const where = (ruleId: string) => {
      const r = log.runs[0].results.find((x: any) => x.ruleId === ruleId);
      return {
        level: r.level,
        uri: r.locations[0].physicalLocation.artifactLocation.uri,
        ...r.locations[0].physicalLocation.region,
        name: r.locations[0].logicalLocations[0].fullyQualifiedName,
      };
    };
    const uri = relative(SHOP);
    // The container's runAsUser, in the Deployment's document.
    expect(where('MR003')).toEqual({
      level: 'error',
      uri,
      startLine: lineOf(SHOP, /runAsUser: 1337/),
      startColumn: 13,
      name: 'Deployment/shop/web',
    });
    // The pod template's labels.
    expect(where('MR005')).toEqual({
      level: 'warning',
      uri,
      startLine: lineOf(SHOP, /^ {6}labels:$/),
      startColumn: 7,
      name: 'Deployment/shop/web',
    });
    // The Service port entry, in the Service's document above the Deployment.
    expect(where('MR006')).toEqual({
      level: 'warning',
      uri,
      startLine: lineOf(SHOP, /- port: 9090/),
      startColumn: 7,
      name: 'Deployment/shop/web',
    });
  });

  it('points a finding without evidence at its workload, inside a kind: List too', async () => {
    const log = JSON.parse((await check([SHOP], { format: 'sarif' })).stdout);
    const mr004 = log.runs[0].results.filter((x: any) => x.ruleId === 'MR004');
    expect(
      mr004.map((r: any) => [
        r.locations[0].logicalLocations[0].fullyQualifiedName,
        r.locations[0].physicalLocation.region.startLine,
      ]),
    ).toEqual([
      ['Deployment/shop/web', lineOf(SHOP, /^apiVersion: apps\/v1/)],
      [
        'Deployment/shop/worker',
        lineOf(
          SHOP,
          /^apiVersion: apps\/v1/,
          lineOf(SHOP, /^apiVersion: apps\/v1/),
        ),
      ],
    ]);
    // In a List, the item's own position.
    const list = JSON.parse(
      (await check([KUBECTL_LIST], { format: 'sarif', failOn: 'info' })).stdout,
    );
    for (const r of list.runs[0].results) {
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThan(
        lineOf(KUBECTL_LIST, /kind: Deployment/) - 2,
      );
    }
  });
});

describe('--format junit', () => {
  it('is XML with one test case per workload and rule, failing fail and, at the level, warn', async () => {
    const xml = (
      await check([SHOP], {
        format: 'junit',
        target: { file: PROFILE },
        failOn: 'warning',
      })
    ).stdout;
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      isArray: name => ['testsuite', 'testcase'].includes(name),
    }).parse(xml);
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s: any) => s['@_name'])).toEqual([
      'Deployment/shop/web',
      'Deployment/shop/worker',
    ]);
    expect(suites[0].testcase).toHaveLength(RULE_DEFINITIONS.length);
    const failed = suites[0].testcase
      .filter((c: any) => c.failure)
      .map((c: any) => [
        c['@_name'].split(' ')[0],
        c.failure['@_type'],
        Number(c['@_line']),
      ]);
    expect(failed).toEqual([
      ['MR003', 'fail', lineOf(SHOP, /runAsUser: 1337/)],
      ['MR005', 'warn', lineOf(SHOP, /^ {6}labels:$/)],
      ['MR006', 'warn', lineOf(SHOP, /- port: 9090/)],
    ]);
    expect(doc.testsuites['@_failures']).toBe('3');
    // At the default level the warnings pass; the failure stays.
    const byDefault = (
      await check([SHOP], { format: 'junit', target: { file: PROFILE } })
    ).stdout;
    expect(byDefault.match(/<failure /g)).toHaveLength(1);
  });

  it('escapes what users write in names and messages', async () => {
    const xml = (await check([BROKEN, SHOP], { format: 'junit' })).stdout;
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<testsuite name="inputs"');
  });
});

describe('--format github', () => {
  it('prints a workflow command per finding with file, line and rule id', async () => {
    const out = (
      await check([SHOP], { format: 'github', target: { file: PROFILE } })
    ).stdout.split('\n');
    const file = escapeProperty(relative(SHOP));
    expect(out[0]).toBe(
      `::error file=${file},line=${lineOf(
        SHOP,
        /runAsUser: 1337/,
      )},col=13,title=MR003 No container runs as UID 1337::Deployment/shop/web: container "helper" runs as UID 1337, the sidecar proxy’s UID. Fix: Run the application as any other UID: set securityContext.runAsUser on the pod or container to a different value.`,
    );
    expect(out[1]).toMatch(
      new RegExp(
        `^::warning file=${file},line=${lineOf(
          SHOP,
          /^ {6}labels:$/,
        )},col=7,title=MR005 `,
      ),
    );
  });

  it('escapes data and properties as GitHub reads them', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
});

describe('--format markdown', () => {
  it('is a PR comment: a verdict, a table of workloads and what to fix where', async () => {
    const md = (
      await check([SHOP], { format: 'markdown', target: { file: PROFILE } })
    ).stdout;
    expect(md.split('\n')[0]).toBe(
      '### ❌ Mesh readiness: 1 of 2 workloads ready',
    );
    expect(md).toContain('| `Deployment/shop/web` | ❌ | 0 Not compatible |');
    expect(md).toContain(
      `on \`Deployment/shop/web\` — \`${relative(SHOP)}:${lineOf(
        SHOP,
        /runAsUser: 1337/,
      )}\` (**fails the gate**)`,
    );
  });
});
