import type { FullConfig } from '@playwright/test';

const WAIT_MS = 120_000;
const POLL_MS = 1_000;

/**
 * Waits until the Hearth server answers HTTP (any status below 500): under
 * `cargo leptos end-to-end` the server starts at the same time as the tests.
 */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL =
    config.projects[0]?.use.baseURL ?? process.env.HEARTH_BASE_URL ?? 'http://127.0.0.1:3000';
  const deadline = Date.now() + WAIT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(baseURL, {
        redirect: 'manual',
        signal: AbortSignal.timeout(5_000),
      });
      await res.body?.cancel();
      if (res.status < 500) {
        return;
      }
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`Hearth did not answer at ${baseURL} within ${WAIT_MS / 1000} s (last: ${last})`);
}
