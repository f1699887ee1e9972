#!/usr/bin/env node
/*
 * The browser half of `yarn test:adopter`: starts a new app made by
 * scripts/adopter/run.sh (`yarn start` in it, on :3000 and :7007, so run it
 * under `flock /tmp/mr-portal.lock`), checks in Debian's chromium through
 * playwright-core what an adopter sees after following the READMEs, and
 * always stops the app. Exits non-zero with the failed check and the tail of
 * the app's log.
 *
 *   node e2e/adopter.mjs <app dir>
 */
import { spawn } from 'node:child_process';
import { launchChromium } from './chromium.mjs';

const appDir = process.argv[2];
if (!appDir) {
  console.error('usage: adopter.mjs <app dir>');
  process.exit(2);
}
const APP = 'http://localhost:3000';
const BACKEND = 'http://localhost:7007';
const STARTUP_SECONDS = Number(process.env.ADOPTER_STARTUP_SECONDS ?? 600);

const sleep = ms => new Promise(r => setTimeout(r, ms));
const answers = async url => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
};
for (const url of [APP, BACKEND]) {
  if (await answers(url)) {
    console.error(
      `✖ something already answers on ${url}; run under flock /tmp/mr-portal.lock`,
    );
    process.exit(1);
  }
}

let log = '';
const app = spawn('yarn', ['start'], {
  cwd: appDir,
  detached: true, // its own process group: stopping it stops frontend and backend
  env: { ...process.env, BROWSER: 'none', CI: 'true' },
});
app.stdout.on('data', d => (log += d));
app.stderr.on('data', d => (log += d));
const stop = () => {
  try {
    process.kill(-app.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('exit', stop);

async function until(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (app.exitCode !== null)
      throw new Error(`the app exited with ${app.exitCode} before ${what}`);
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    await sleep(2000);
  }
  throw new Error(`${what} did not happen within ${seconds} s`);
}

let browser;
let failed = false;
const check = async (name, fn) => {
  try {
    await fn();
    console.log(`✔ ${name}`);
  } catch (e) {
    failed = true;
    console.log(`✖ ${name}: ${e.message.split('\n')[0]}`);
  }
};

try {
  const started = Date.now();
  await until('the backend answered', STARTUP_SECONDS, () =>
    answers(`${BACKEND}/.backstage/health/v1/readiness`),
  );
  // The first scan runs after the catalog has read the demo components.
  await until(
    'the plugin reported on the demo component cart',
    STARTUP_SECONDS,
    async () => {
      const guest = await fetch(`${BACKEND}/api/auth/guest/refresh`);
      const token = (await guest.json()).backstageIdentity?.token;
      const res = await fetch(
        `${BACKEND}/api/mesh-readiness/entities/component/default/cart`,
        {
          headers: { Authorization: `Bearer ${token}` },
        },
      );
      return res.ok && (await res.json()).workloads?.length > 0;
    },
  );
  await until('the frontend answered', STARTUP_SECONDS, () => answers(APP));
  console.error(
    `the app was up after ${Math.round((Date.now() - started) / 1000)} s`,
  );

  browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  page.setDefaultTimeout(120_000);
  await page.goto(APP);
  const enter = page.getByRole('button', { name: 'Enter' });
  // The sidebar's <nav> has no box of its own; its links do.
  const navLink = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link')
    .first();
  await enter.or(navLink).first().waitFor();
  if (await enter.isVisible()) await enter.click();
  await navLink.waitFor();

  const openTab = async entityPath => {
    await page.goto(`${APP}${entityPath}`);
    await page
      .locator(`a[href="${entityPath}/mesh-readiness"]`)
      .getByText('Mesh Readiness', { exact: true })
      .click();
    await page.waitForURL(`${APP}${entityPath}/mesh-readiness`);
  };

  await check(
    "a component's Mesh Readiness tab lists findings with Istio docs links",
    async () => {
      await openTab('/catalog/default/component/cart');
      const row = page.getByTestId('finding-MR002');
      await row.getByText('fail', { exact: true }).waitFor();
      await row.getByText(/MR002 No port is used with two protocols/).click();
      const href = await row.getByRole('link').first().getAttribute('href');
      if (!href?.startsWith('https://istio.io/latest/docs/'))
        throw new Error(
          `the finding's docs link is ${href}, not an Istio docs page`,
        );
    },
  );

  await check("a Group's Mesh Readiness tab shows its scorecard", async () => {
    await openTab('/catalog/default/group/team-payments');
    await page.getByText('Rules blocking the most workloads').waitFor();
    await page.getByRole('link', { name: 'ledger' }).waitFor();
  });

  await check('the organisation page has exactly one header', async () => {
    await page.goto(`${APP}/mesh-readiness`);
    await page.getByRole('link', { name: 'Payments', exact: true }).waitFor();
    const h1 = await page.locator('h1').count();
    if (h1 !== 1) throw new Error(`${h1} h1 headers on /mesh-readiness`);
  });
} catch (e) {
  failed = true;
  console.log(`✖ setup: ${e.message}`);
} finally {
  await browser?.close();
  stop();
}
if (failed) {
  console.log('--- the app log, last 60 lines');
  console.log(log.split('\n').slice(-60).join('\n'));
  process.exit(1);
}
