/*
 * Accessibility checks of the end-to-end tests: axe-core, injected into the
 * page as it is, runs the WCAG 2.0 and 2.1 level A and AA rules against what
 * the page shows at that moment. Any violation fails the calling check with
 * the rule, its impact and the elements it was found on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Parts of Backstage's own app that fail these rules and that no plugin can
 * change; everything else on the page, the app shell included, is checked.
 * - The sidebar item of the notifications plugin is named "Notifications"
 *   while it shows the unread count too (label-content-name-mismatch).
 * - The notifications page's table has draggable column headers: an empty
 *   drag handle that is a button with no name, around the sort buttons
 *   (aria-command-name, nested-interactive).
 */
export const OUTSIDE_OUR_CODE = [
  '[data-testid="sidebar-root"] a[href="/notifications"]',
  '[data-rbd-draggable-id]',
];

/** "rule (impact): help\n    selector" lines, one block per violation. */
export function describeViolations(violations) {
  return violations
    .map(v =>
      [
        `${v.id} (${v.impact}): ${v.help}`,
        ...v.nodes.map(
          n =>
            `    ${n.target.join(' ')}${
              n.failureSummary
                ? `\n      ${n.failureSummary.split('\n').join('\n      ')}`
                : ''
            }`,
        ),
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Runs axe on the page; throws when a WCAG 2 A/AA rule is violated. `where`
 * names the page state in the message.
 */
export async function assertAccessible(page, where) {
  // The page is checked once it has loaded: Backstage's own cards (the
  // overview's Relations graph) spin an unnamed progress circle meanwhile.
  await page
    .locator('.MuiCircularProgress-root')
    .first()
    .waitFor({ state: 'hidden', timeout: 30_000 })
    .catch(() => {}); // still spinning: axe reports it
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(
    ({ tags, exclude }) =>
      window.axe
        .run({ exclude }, { runOnly: { type: 'tag', values: tags } })
        .then(r =>
          r.violations.map(v => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map(n => ({
              target: n.target.map(String),
              failureSummary: n.failureSummary,
            })),
          })),
        ),
    { tags: WCAG_AA_TAGS, exclude: OUTSIDE_OUR_CODE },
  );
  if (violations.length)
    throw new Error(
      `${where}: ${
        violations.length
      } accessibility violation(s) of WCAG 2 A/AA\n${describeViolations(
        violations,
      )}`,
    );
}
