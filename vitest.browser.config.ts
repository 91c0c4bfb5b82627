/**
 * The browser suites: test/browser/*.test.ts run in real headless Chromium
 * (Debian's /usr/bin/chromium, never a downloaded browser) through vitest's
 * browser mode and Playwright; test/browser/node/*.test.ts run in Node and
 * drive the explorer page with playwright-core. `npm test` runs both after
 * the Node suites.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM, CHROMIUM_ARGS } from './test/browser/chromium.js';

export default defineConfig({
  // web/ imports the library by its package name, as a user's page would.
  resolve: { alias: { layerfs: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['test/browser/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/browser/node/*.test.ts'],
          environment: 'node',
          pool: 'forks',
        },
      },
    ],
  },
});
