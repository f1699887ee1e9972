#!/usr/bin/env node
/*
 * End-to-end tests in a real browser (Debian's chromium via playwright-core)
 * against the demo portal started the README's way (scripts/start.sh).
 * Saves screenshots under docs/screenshots/. Exits non-zero on failure.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'docs', 'screenshots');
const APP = 'http://localhost:3000';
const BACKEND = 'http://localhost:7007';
mkdirSync(shots, { recursive: true });

async function waitFor(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 2000));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

const portal = spawn('bash', ['scripts/start.sh'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
portal.stdout.on('data', d => (log += d));
portal.stderr.on('data', d => (log += d));
const stop = () => {
  try {
    process.kill(-portal.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};

let browser;
const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`✔ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`✖ ${name}: ${e.message}`);
  }
}

try {
  await waitFor(`${BACKEND}/.backstage/health/v1/readiness`, 300);
  await waitFor(APP, 300);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(60_000);

  // The demo signs in as a guest; the session then lasts for the page.
  await page.goto(APP);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ timeout: 180_000 });
  await enter.click();
  await page.getByText('Mesh Readiness').first().waitFor();
  const open = async url => {
    await page.goto(`${APP}${url}`);
    await enter.waitFor({ timeout: 3000 }).then(() => enter.click(), () => undefined);
  };

  await check('a demo component shows the Mesh Readiness tab with a failing rule and its docs link', async () => {
    await open('/catalog/default/component/cart/mesh-readiness');
    await page.getByText('Deployment storefront/cart').waitFor();
    const row = page.getByTestId('finding-MR002');
    await row.getByText('fail', { exact: true }).waitFor();
    await row.getByText(/Pod port 9000\/TCP is reached as HTTP and TCP/).waitFor();
    await row.click();
    const link = row.getByRole('link', { name: /Istio documentation for MR002/ });
    const href = await link.getAttribute('href');
    if (!href?.startsWith('https://istio.io/latest/docs/')) throw new Error(`docs link is ${href}`);
    await page.screenshot({ path: path.join(shots, 'entity-tab.png'), fullPage: true });
  });

  await check('an unmapped component gets the annotation to add', async () => {
    await open('/catalog/default/component/legacy-billing/mesh-readiness');
    await page.getByText('This component is not mapped to Kubernetes workloads').waitFor();
  });

  await check('the overview shows the onboarding checklist', async () => {
    await open('/catalog/default/component/payment-gateway');
    await page.getByText('Mesh onboarding checklist').waitFor();
    await page.getByText(/steps done/).waitFor();
    await page.screenshot({ path: path.join(shots, 'onboarding-checklist.png'), fullPage: true });
  });

  await check('a team shows its scorecard', async () => {
    await open('/catalog/default/group/team-payments/mesh-readiness');
    await page.getByText('Rules blocking the most workloads').waitFor();
    await page.getByText('ledger').first().waitFor();
    await page.screenshot({ path: path.join(shots, 'team-scorecard.png'), fullPage: true });
  });

  await check('the organisation page lists every team', async () => {
    await open('/mesh-readiness');
    for (const team of ['Web', 'Payments', 'Platform']) await page.getByRole('link', { name: team }).first().waitFor();
    await page.screenshot({ path: path.join(shots, 'organisation.png'), fullPage: true });
  });
} catch (e) {
  console.log(`✖ setup: ${e.message}`);
  console.log(log.split('\n').slice(-30).join('\n'));
  results.push({ name: 'setup', ok: false });
} finally {
  await browser?.close();
  stop();
}

const failed = results.filter(r => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
