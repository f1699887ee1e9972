#!/usr/bin/env node
/*
 * End-to-end tests of the Mesh Readiness plugin in a real browser: Debian's
 * chromium (apt-get install chromium) driven by playwright-core, against the
 * demo portal started as the README starts it (`yarn start` at the repo
 * root; scripts/start.sh is that after an install). Every page is visited in
 * Backstage's light and dark themes and checked against WCAG 2 A/AA by
 * axe-core (./axe.mjs). Saves the screenshots the README shows under
 * docs/screenshots/ (<name>.png, and <name>-dark.png in the dark theme),
 * stops the portal, and exits non-zero when a check fails.
 *
 *   yarn test:e2e
 *
 * When a portal already answers on :3000 and :7007 it is used as it is and
 * left running. CHROMIUM_PATH overrides /usr/bin/chromium.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAccessible } from './axe.mjs';
import { launchChromium } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'docs', 'screenshots');
const APP = 'http://localhost:3000';
const BACKEND = 'http://localhost:7007';
// Backstage's two built-in themes, by their ids.
const THEMES = ['light', 'dark'];
const STARTUP_SECONDS = Number(process.env.E2E_STARTUP_SECONDS ?? 420);
// Screenshots of failures are for debugging, not for the docs.
const failures = path.join(root, 'node_modules', '.cache', 'e2e');
mkdirSync(shots, { recursive: true });
mkdirSync(failures, { recursive: true });

const answers = async url => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
};
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function waitFor(url, seconds, portal) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await answers(url)) return;
    if (portal && portal.exitCode !== null) {
      throw new Error(
        `the portal exited with ${portal.exitCode} before ${url} answered`,
      );
    }
    await sleep(2000);
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

/**
 * The backend is ready before the catalog has read the demo entities and
 * before the first scan; wait until a demo component can be read.
 */
async function waitForDemoCatalog(seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const guest = await fetch(`${BACKEND}/api/auth/guest/refresh`);
      const token = (await guest.json()).backstageIdentity?.token;
      const headers = { Authorization: `Bearer ${token}` };
      const readiness = await fetch(
        `${BACKEND}/api/mesh-readiness/entities/component/default/cart`,
        { headers },
      );
      if (readiness.ok && (await readiness.json()).workloads?.length) return;
    } catch {
      // not yet
    }
    await sleep(2000);
  }
  throw new Error(`the demo catalog was not read within ${seconds} s`);
}

/* ---------------------------------------------------------------- portal */

const health = `${BACKEND}/.backstage/health/v1/readiness`;
const reuse = (await answers(health)) && (await answers(APP));
let portal;
let log = '';
if (reuse) {
  console.log('Using the portal already running on :3000 and :7007.');
} else {
  console.log('Starting the portal with `yarn start`…');
  // Its own process group, so that stopping it stops the frontend and
  // backend it spawns too.
  portal = spawn(
    'bash',
    ['-c', 'source scripts/bootstrap.sh && exec yarn start'],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  portal.stdout.on('data', d => (log += d));
  portal.stderr.on('data', d => (log += d));
}

async function stopPortal() {
  if (!portal || portal.exitCode !== null) return;
  const signal = sig => {
    try {
      process.kill(-portal.pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 20_000;
  while (
    Date.now() < deadline &&
    ((await answers(health)) || (await answers(APP)))
  )
    await sleep(500);
  signal('SIGKILL');
}

/* ---------------------------------------------------------------- checks */

const results = [];
async function checkNamed(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`✔ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`✖ ${name}\n  ${String(e.message).split('\n').join('\n  ')}`);
    const file = path.join(failures, `failure-${results.length}.png`);
    await page?.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.log(`  (page at failure: ${path.relative(root, file)})`);
  }
}

// The demo's waiver of MR011 on payment-gateway runs out on this day.
const DEMO_WAIVER_UNTIL = '2026-12-07';
const daysLeft = Math.round(
  (Date.parse(`${DEMO_WAIVER_UNTIL}T00:00:00Z`) -
    Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`)) /
    86_400_000,
);

let browser;
let page;
try {
  await waitFor(health, STARTUP_SECONDS, portal);
  await waitFor(APP, STARTUP_SECONDS, portal);
  await waitForDemoCatalog(STARTUP_SECONDS);
  browser = await launchChromium();

  // The Tech Insights facts are read from the backend, in no theme.
  await checkNamed(
    'Tech Insights serves the mesh-readiness facts of a demo component',
    async () => {
      const guest = await fetch(`${BACKEND}/api/auth/guest/refresh`);
      const token = (await guest.json()).backstageIdentity?.token;
      const url = `${BACKEND}/api/tech-insights/facts/latest?entity=component:default/cart&ids[]=mesh-readiness`;
      // The retriever runs on its cadence (every minute in the demo).
      const deadline = Date.now() + 180_000;
      let facts;
      while (!facts && Date.now() < deadline) {
        const res = await fetch(url, {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok) throw new Error(`${url} answered ${res.status}`);
        facts = (await res.json())['mesh-readiness']?.facts;
        if (!facts) await sleep(3000);
      }
      if (!facts) throw new Error('no mesh-readiness facts for cart in 180 s');
      if (facts.ready !== false || facts.level !== 0)
        throw new Error(`cart's facts are ${JSON.stringify(facts)}`);
      if (!facts.failingRules.includes('MR002'))
        throw new Error(`MR002 missing from ${facts.failingRules}`);
    },
  );

  // Every page is checked, and photographed, in both of Backstage's themes.
  for (const theme of THEMES) {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    // Where Backstage's AppThemeSelector keeps the theme the user picked.
    await context.addInitScript(id => {
      window.localStorage.setItem('theme', id);
    }, theme);
    page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await themedChecks(theme);
    await context.close();
  }
} catch (e) {
  console.log(`✖ setup: ${e.message}`);
  if (log) console.log(log.split('\n').slice(-40).join('\n'));
  results.push({ name: 'setup', ok: false });
} finally {
  await browser?.close();
  await stopPortal();
}

const failed = results.filter(r => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

/** The checks of the pages, in one theme; screenshots are named after it. */
async function themedChecks(theme) {
  const inTheme = name => `${name} (${theme} theme)`;
  const check = (name, fn) => checkNamed(inTheme(name), fn);
  // Accessibility of the page as it is now: WCAG 2 A and AA, axe-core.
  const audit = where => assertAccessible(page, inTheme(where));
  /** Saves docs/screenshots/<name>[-dark].png of `target`, then audits the page. */
  const shot = async (name, target = page, options = {}) => {
    await target.screenshot({
      path: path.join(
        shots,
        `${name}${theme === 'light' ? '' : `-${theme}`}.png`,
      ),
      ...options,
    });
    await audit(name);
  };

  // The demo signs in as a guest; sign in once, then open pages directly.
  await page.goto(APP);
  const enter = page.getByRole('button', { name: 'Enter' });
  // The sidebar's <nav> has no box of its own; its links do.
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  const catalogLink = nav.getByRole('link', { name: 'Catalog', exact: true });
  await enter.or(catalogLink).first().waitFor();
  if (await enter.isVisible()) {
    await audit('the guest sign-in page');
    await enter.click();
  }
  await catalogLink.waitFor();

  const open = url => page.goto(`${APP}${url}`);
  // The entity page's tab (the sidebar has a link of the same name).
  const openTab = async entityPath => {
    const tab = page.locator(`a[href="${entityPath}/mesh-readiness"]`);
    await tab.getByText('Mesh Readiness', { exact: true }).click();
    await page.waitForURL(`${APP}${entityPath}/mesh-readiness`);
  };

  await check('the sidebar links to the organisation page', async () => {
    const link = nav.getByRole('link', { name: /Mesh Readiness/ });
    if ((await link.getAttribute('href')) !== '/mesh-readiness')
      throw new Error('no sidebar link to /mesh-readiness');
  });

  await check(
    'a component ready for sidecar but not for ambient says what blocks ambient',
    async () => {
      await open('/catalog/default/component/storefront-web');
      await openTab('/catalog/default/component/storefront-web');
      await page.getByText('Deployment storefront/storefront-web').waitFor();
      const modes = page.getByTestId('workload-modes');
      await modes.getByText('Ready for sidecar', { exact: true }).waitFor();
      await modes
        .getByText(/^Not ready for ambient: blocked by MR015 /)
        .waitFor();
      // Its own MR015 finding is n/a (it runs with a sidecar): the card says why ambient fails.
      await modes
        .getByTestId('mode-reasons-ambient')
        .getByText(/^MR015 in ambient mode: .*TCP 15008 \(HBONE\)/)
        .waitFor();
      await page.getByTestId('finding-MR001').waitFor();
      await shot('entity-tab', page, { fullPage: true });
    },
  );

  await check(
    'a demo component shows the Mesh Readiness tab with a failing rule and its docs link, and scans on demand',
    async () => {
      await open('/catalog/default/component/cart');
      await openTab('/catalog/default/component/cart');
      await page.getByText('Deployment storefront/cart').waitFor();
      await page
        .getByText(/Level 0 · Not compatible/)
        .first()
        .waitFor();
      const row = page.getByTestId('finding-MR002');
      await row.getByText('fail', { exact: true }).waitFor();
      await row
        .getByText('Pod port 9000/TCP is reached as HTTP and TCP.')
        .waitFor();
      await row.getByText(/MR002 No port is used with two protocols/).click();
      await row.getByText('Service storefront/cart-internal').waitFor();
      const link = row.getByRole('link', {
        name: /Istio documentation for MR002/,
      });
      await link.waitFor();
      const href = await link.getAttribute('href');
      if (!href?.startsWith('https://istio.io/latest/docs/'))
        throw new Error(`docs link is ${href}`);
      await page.waitForTimeout(500); // let the row finish opening
      await row.scrollIntoViewIfNeeded();
      await shot('entity-tab-finding', row);

      await page.getByText('Failing only').click();
      await page.getByTestId('finding-MR001').waitFor({ state: 'detached' });
      await row.waitFor();
      await audit('the tab, failing findings only');

      // The demo's policy allows scanning on demand: the scan, a POST, runs and answers.
      const refreshed = page.waitForResponse(
        r =>
          r.request().method() === 'POST' &&
          /\/entities\/component\/default\/cart\/scan$/i.test(r.url()) &&
          r.status() === 200,
      );
      await page.getByRole('button', { name: 'Scan now' }).click();
      await refreshed;
      await page.getByText('Scanned just now').waitFor();
    },
  );

  await check(
    'a component rolled out by Argo Rollouts is checked through its ReplicaSet, and its card says so',
    async () => {
      await open('/catalog/default/component/recommendations/mesh-readiness');
      const card = page
        .locator('.MuiCard-root')
        .filter({ hasText: 'Rollout storefront/recommendations' });
      await card
        .getByTestId('workload-notice')
        .getByText(
          /Rollout storefront\/recommendations itself is a kind mesh-readiness does not read: these findings come from the ReplicaSet recommendations-6f9c7d it owns/,
        )
        .waitFor();
      await card.getByTestId('finding-MR001').waitFor();
      await shot('workload-notice', card);
    },
  );

  await check(
    'a workload’s card lists its waivers, and a waiver that ran out counts again and says so',
    async () => {
      await open('/catalog/default/component/settlement/mesh-readiness');
      const card = page
        .locator('.MuiCard-root')
        .filter({ hasText: 'CronJob payments/settlement' });
      await card
        .getByTestId('workload-waivers')
        .getByText(/MR001 expired on 2026-06-30: Batch job, reached by no one/)
        .waitFor();
      const row = card.getByTestId('finding-MR001');
      await row.getByText('fail', { exact: true }).waitFor();
      await row.getByText(/^waiver expired on 2026-06-30: Batch job/).waitFor();
      await shot('tab-waivers', card);

      await open('/catalog/default/component/payment-gateway/mesh-readiness');
      await page
        .getByTestId('workload-waivers')
        .getByText(/MR011 until 2026-12-07: Probes go through the gateway/)
        .waitFor();
      await audit('the tab of a component with a waiver');
    },
  );

  await check(
    'the team scorecard lists the waivers that run out in the next 14 days',
    async () => {
      await open('/catalog/default/group/team-payments/mesh-readiness');
      const card = page
        .locator('.MuiCard-root')
        .filter({ hasText: 'Waivers expiring in the next 14 days' });
      if (daysLeft > 0 && daysLeft <= 14) {
        await card
          .getByTestId('expiring-waivers')
          .getByText(
            new RegExp(
              `${DEMO_WAIVER_UNTIL} payment-gateway Deployment payments/payment-gateway · MR011`,
            ),
          )
          .waitFor();
        await shot('scorecard-expiring-waivers', card);
      } else {
        // The demo's date is outside the window on this day: nothing is listed.
        await card
          .getByText('No waiver runs out in the next 14 days.')
          .waitFor();
        await audit('the team scorecard');
      }
    },
  );

  await check(
    'the team is notified, once, a week before a waiver runs out; the notice links to the tab',
    async () => {
      await open('/notifications');
      const title = `payment-gateway: the waiver of MR011 runs out on ${DEMO_WAIVER_UNTIL}`;
      if (daysLeft > 0 && daysLeft <= 7) {
        const notice = page.getByText(title, { exact: true });
        await notice.waitFor();
        if ((await page.getByText(title, { exact: true }).count()) !== 1)
          throw new Error('the notice was sent more than once');
        await page.waitForTimeout(500); // let the list settle
        await shot('notification', page, { fullPage: true });
        // Opening the notice marks it read, and the page lists unread ones:
        // only in the last theme, so that every theme shows it.
        if (theme !== THEMES.at(-1)) return;
        await notice.click();
        await page.waitForURL(
          /\/catalog\/default\/component\/payment-gateway\/mesh-readiness$/,
        );
      } else {
        await page
          .getByText(/notifications/i)
          .first()
          .waitFor();
        if (await page.getByText(title, { exact: true }).count())
          throw new Error('notified outside the week before the waiver ends');
        await audit('the notifications page');
      }
    },
  );

  await check('an unmapped component gets the annotation to add', async () => {
    await open('/catalog/default/component/legacy-billing/mesh-readiness');
    await page
      .getByText('This component is not mapped to Kubernetes workloads')
      .waitFor();
    await page
      .getByText('backstage.io/kubernetes-id: legacy-billing')
      .waitFor();
    await audit('the tab of an unmapped component');
  });

  await check(
    'the overview shows the onboarding checklist, whose steps lead into the tab',
    async () => {
      await open('/catalog/default/component/payment-gateway');
      const card = page.getByTestId('mesh-onboarding-checklist');
      await card.getByText(/\d+ of \d+ steps done/).waitFor();
      await card.scrollIntoViewIfNeeded();
      await shot('onboarding-checklist', card);
      await card
        .getByRole('link', { name: /istio-init may add NET_ADMIN and NET_RAW/ })
        .click();
      await page.waitForURL(
        /\/component\/payment-gateway\/mesh-readiness\?rule=MR004$/,
      );
      await page.getByText('Showing MR004 only').waitFor();
      await page.getByTestId('finding-MR004').waitFor();
      await audit('the tab showing one rule');
    },
  );

  await check('a team shows its scorecard', async () => {
    await open('/catalog/default/group/team-payments');
    await openTab('/catalog/default/group/team-payments');
    await page.getByText('Rules blocking the most workloads').waitFor();
    await page.getByRole('link', { name: 'ledger' }).waitFor();
    await page.getByText('Not mapped', { exact: true }).first().waitFor();
    await page.getByRole('img', { name: /^trend: / }).waitFor();
    await shot('team-scorecard', page, { fullPage: true });
  });

  await check(
    'the organisation page lists every team, the clusters read, and links to each scorecard',
    async () => {
      await open('/');
      await page
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: /Mesh Readiness/ })
        .click();
      for (const team of ['Web', 'Payments', 'Platform'])
        await page.getByRole('link', { name: team, exact: true }).waitFor();
      // The clusters behind the reports: the demo cluster, read, and its scans.
      await page
        .getByTestId('cluster-demo-cluster')
        .getByText(/workloads, read/)
        .waitFor();
      // Each scheduled read is of one cluster; a refresh may read several.
      await page
        .getByRole('img', {
          name: /^(Scheduled|Refresh) .* on .*: (read|every cluster read)$/,
        })
        .first()
        .waitFor();
      await shot('organisation', page, { fullPage: true });
      await page.getByRole('link', { name: 'Payments', exact: true }).click();
      await page.waitForURL(/\/group\/team-payments\/mesh-readiness$/);
      await page.getByText('Rules blocking the most workloads').waitFor();
    },
  );
}
