import { defineConfig, devices } from '@playwright/test';

/** Where the Hearth server under test listens (cargo-leptos' site-addr by default). */
export const baseURL = process.env.HEARTH_BASE_URL ?? 'http://127.0.0.1:3000';

const launchOptions = {
  // Debian's Chromium: Playwright's own browser builds cannot be downloaded here.
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  // 2-core machine, and the server is compiled and started alongside.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  timeout: 30_000,
  expect: { timeout: 5_000 },
  globalSetup: './global-setup.ts',
  use: {
    baseURL,
    launchOptions,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      // The whole suite against one server (scripts/test.sh), or through
      // nginx in front of two (scripts/e2e-cluster.sh).
      name: 'chromium',
      testIgnore: /cluster\.spec\.ts$/,
      use: {
        ...devices['Desktop Chrome'],
        // devices[] does not set a path, but keep ours explicitly after the spread.
        launchOptions,
      },
    },
    {
      // Two instances behind nginx (scripts/e2e-cluster.sh, which sets the
      // HEARTH_CLUSTER_* variables; without them these tests are skipped).
      // It stops Redis and an instance on the way: run it last, alone.
      name: 'cluster',
      testMatch: /cluster\.spec\.ts$/,
      use: {
        ...devices['Desktop Chrome'],
        launchOptions,
      },
    },
  ],
});
