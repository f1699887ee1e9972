/*
 * The browser of the end-to-end tests: Debian's chromium (apt-get install
 * chromium) through playwright-core, headless. CHROMIUM_PATH overrides
 * /usr/bin/chromium.
 */
import { chromium } from 'playwright-core';

export const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
    ],
  });
