import { execSync } from 'node:child_process';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import {
  befriend,
  bellLink,
  makeUser,
  messageList,
  open,
  openChatWith,
  sendFriendRequest,
  sendMessage,
  signUp,
  uniqueText,
  type User,
  waitForLive,
} from './helpers';

/**
 * Two Hearth instances on one PostgreSQL database and one Redis, behind
 * nginx (scripts/e2e-cluster.sh starts them and sets the variables below;
 * docs/deploy.md). People on different instances chat, see each other type
 * and come and go, get notifications; nothing is lost or doubled while
 * Redis restarts; and a tab whose instance is stopped reconnects through
 * nginx to the other one and catches up without a reload.
 *
 * The tests share their people and pages and run in order; the last one
 * stops an instance for good.
 */

const cluster = {
  proxy: process.env.HEARTH_BASE_URL ?? '',
  instances: [process.env.HEARTH_CLUSTER_INSTANCE_1 ?? '', process.env.HEARTH_CLUSTER_INSTANCE_2 ?? ''],
  metrics: [process.env.HEARTH_CLUSTER_METRICS_1 ?? '', process.env.HEARTH_CLUSTER_METRICS_2 ?? ''],
  stop: [process.env.HEARTH_CLUSTER_STOP_1 ?? '', process.env.HEARTH_CLUSTER_STOP_2 ?? ''],
  redisStop: process.env.HEARTH_CLUSTER_REDIS_STOP ?? '',
  redisStart: process.env.HEARTH_CLUSTER_REDIS_START ?? '',
};

test.skip(
  !cluster.instances[0] || !cluster.instances[1] || !cluster.redisStop,
  'needs the two-instance set-up of scripts/e2e-cluster.sh',
);
test.describe.configure({ mode: 'serial' });

/** Runs one of the set-up's shell commands (stop Redis, stop an instance...). */
function run(command: string): void {
  execSync(command, { shell: '/bin/bash', stdio: 'inherit', timeout: 30_000 });
}

/** The status of `GET url`, or 0 when nothing answers. */
async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

/** Waits until both instances answer `/readyz` with 200 (database and Redis up). */
async function waitUntilReady(instances: string[]): Promise<void> {
  for (const url of instances) {
    await expect.poll(() => statusOf(`${url}/readyz`), { timeout: 30_000, message: `${url}/readyz` }).toBe(200);
  }
}

/**
 * `hearth_live_sockets` (summed over any labels) from a Prometheus text
 * page; 0 when absent (a gauge appears once it has been set).
 */
async function liveSockets(metricsUrl: string): Promise<number> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) });
  expect(res.status, metricsUrl).toBe(200);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^hearth_live_sockets(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) {
      sum += Number(m[1]);
    }
  }
  return sum;
}

/** Marks the page's window, to tell later that it was never reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __marker: number }).__marker = 1;
  });
}

async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 'no reload').toBe(1);
}

/**
 * From now on, records in `page` the moment (`Date.now()`, the same clock
 * as the test's) at which `text` first shows in the page: a visibility
 * poll from the test would add its own polling interval to the figure.
 */
async function recordWhenShown(page: Page, text: string): Promise<void> {
  await page.evaluate((wanted) => {
    const w = window as unknown as { __shownAt?: number };
    w.__shownAt = undefined;
    const observer = new MutationObserver(() => {
      if (w.__shownAt === undefined && document.body.textContent?.includes(wanted)) {
        w.__shownAt = Date.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, text);
}

async function shownAt(page: Page): Promise<number> {
  const at = await page.evaluate(() => (window as unknown as { __shownAt?: number }).__shownAt);
  expect(at, 'the moment the text showed').toBeDefined();
  return at ?? 0;
}

/** Each of `texts` shows exactly once in `page`'s open conversation, and still does a few seconds later. */
async function expectEachExactlyOnce(page: Page, texts: string[]): Promise<void> {
  for (const text of texts) {
    expect(await messageList(page).getByText(text).count(), text).toBe(1);
  }
  await page.waitForTimeout(3_000);
  for (const text of texts) {
    expect(await messageList(page).getByText(text).count(), `${text}, 3 s later`).toBe(1);
  }
}

/** A browser context whose relative URLs go to `baseURL`, signed in as `from` was (same cookies). */
async function contextAt(browser: Browser, baseURL: string, from?: BrowserContext): Promise<BrowserContext> {
  return browser.newContext({ baseURL, storageState: from ? await from.storageState() : undefined });
}

// A on instance 1, B on instance 2 (direct ports, no nginx), friends.
let a: User;
let b: User;
let contextA: BrowserContext;
let contextB: BrowserContext;
let pageA: Page;
let pageB: Page;
const contexts: BrowserContext[] = [];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  contextA = await contextAt(browser, cluster.instances[0]);
  contextB = await contextAt(browser, cluster.instances[1]);
  contexts.push(contextA, contextB);
  pageA = await contextA.newPage();
  pageB = await contextB.newPage();
  a = makeUser();
  b = makeUser();
  await signUp(pageA, a);
  await signUp(pageB, b);
  await befriend(pageA, a, pageB, b);
});

test.afterAll(async () => {
  for (const context of contexts) {
    await context.close().catch(() => {});
  }
});

test('a message sent on instance 1 shows in the open conversation on instance 2 in under a second', async () => {
  test.setTimeout(60_000);
  await openChatWith(pageA, b);
  await openChatWith(pageB, a);
  await markPage(pageB);

  // The first message of the pair warms up the path (and is checked too).
  const first = uniqueText('Hello from instance one');
  await sendMessage(pageA, first);
  await expect(messageList(pageB).getByText(first)).toBeVisible({ timeout: 10_000 });

  const second = uniqueText('Timed across instances');
  await recordWhenShown(pageB, second);
  await pageA.getByLabel('Message', { exact: true }).fill(second);
  const clickedAt = Date.now();
  await pageA.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(messageList(pageB).getByText(second)).toBeVisible({ timeout: 10_000 });
  const ms = (await shownAt(pageB)) - clickedAt;
  console.log(`[cluster] send click on instance 1 → visible on instance 2: ${ms} ms`);
  test.info().annotations.push({ type: 'latency', description: `${ms} ms` });
  expect(ms).toBeLessThan(1_000);
  await expectNotReloaded(pageB);
});

test('B typing on instance 2 shows "typing" to A on instance 1', async () => {
  test.setTimeout(30_000);
  const typing = pageA.getByText(`${b.displayName} is typing…`);
  await pageB.getByLabel('Message', { exact: true }).fill('typing on instance two');
  await expect(typing).toBeVisible();
  // Gone a few seconds after B stops.
  await expect(typing).toBeHidden({ timeout: 10_000 });
});

test('B shows online to A while their tab on the other instance is open, then last seen once it closes', async () => {
  // 30 s of grace after the last tab closes, plus up to ~5 s across instances.
  test.setTimeout(120_000);
  await open(pageA, '/friends');
  await waitForLive(pageA);
  const friendRow = pageA
    .getByRole('region', { name: 'Your friends', exact: true })
    .getByRole('listitem')
    .filter({ hasText: b.displayName });
  await expect(friendRow.getByText('Online', { exact: true })).toBeVisible();

  await pageB.close();
  const closedAt = Date.now();
  await expect(friendRow.getByText(/^Last seen/)).toBeVisible({ timeout: 45_000 });
  await expect(friendRow.getByText('Online', { exact: true })).toHaveCount(0);
  console.log(`[cluster] B's tab closed → "Last seen" on the other instance: ${Date.now() - closedAt} ms`);
});

test('a friend request sent on instance 1 shows as a live notification on instance 2', async ({ browser }) => {
  test.setTimeout(90_000);
  // A and B are friends already: C, on instance 2, gets the request.
  const contextC = await contextAt(browser, cluster.instances[1]);
  contexts.push(contextC);
  const pageC = await contextC.newPage();
  const c = makeUser();
  await signUp(pageC, c);
  await open(pageC, '/notifications');
  await waitForLive(pageC);
  await expect(bellLink(pageC)).toHaveAccessibleName('Notifications');
  await markPage(pageC);

  await sendFriendRequest(pageA, c);
  await expect(bellLink(pageC)).toHaveAccessibleName('Notifications, 1 unread');
  await expect(
    pageC
      .getByRole('list', { name: 'Notifications' })
      .getByRole('listitem')
      .filter({ hasText: `${a.displayName} sent you a friend request` }),
  ).toBeVisible();
  await expectNotReloaded(pageC);
  await contextC.close();
});

test('two messages sent while Redis is down reach the other instance exactly once after it is back', async () => {
  test.setTimeout(120_000);
  pageB = await contextB.newPage();
  await openChatWith(pageA, b);
  await openChatWith(pageB, a);
  await markPage(pageB);

  const one = uniqueText('First while Redis is down');
  const two = uniqueText('Second while Redis is down');
  run(cluster.redisStop);
  try {
    await sendMessage(pageA, one);
    await sendMessage(pageA, two);
    await expect(messageList(pageA).getByText(two)).toBeVisible();
  } finally {
    run(cluster.redisStart);
  }
  const restartedAt = Date.now();
  await waitUntilReady(cluster.instances);

  for (const text of [one, two]) {
    await expect(messageList(pageB).getByText(text)).toBeVisible({ timeout: 30_000 });
  }
  console.log(`[cluster] Redis started → both messages on instance 2: ${Date.now() - restartedAt} ms`);
  await expectEachExactlyOnce(pageB, [one, two]);
  await expectNotReloaded(pageB);
});

test('when the instance holding B\'s socket stops, B reconnects through nginx to the other and catches up without a reload', async ({
  browser,
}) => {
  // Runs last: the stopped instance stays down.
  test.setTimeout(120_000);
  // Only B will be connected: close every other tab.
  await pageA.close();
  await pageB.close();

  // B through nginx (same session cookie: cookies don't depend on the port).
  const contextBProxy = await contextAt(browser, cluster.proxy, contextB);
  contexts.push(contextBProxy);
  pageB = await contextBProxy.newPage();
  await openChatWith(pageB, a);
  await markPage(pageB);

  // Which instance nginx gave B's socket to.
  await expect
    .poll(async () => (await liveSockets(cluster.metrics[0])) + (await liveSockets(cluster.metrics[1])), {
      timeout: 20_000,
      message: 'open sockets on both instances together (only B is connected)',
    })
    .toBe(1);
  const holder = (await liveSockets(cluster.metrics[0])) === 1 ? 0 : 1;
  const other = 1 - holder;
  console.log(`[cluster] B's socket is on instance ${holder + 1}; stopping it`);

  // A, directly on the instance that stays up.
  const contextAOther = await contextAt(browser, cluster.instances[other], contextA);
  contexts.push(contextAOther);
  pageA = await contextAOther.newPage();
  await openChatWith(pageA, b);

  const stoppedAt = Date.now();
  run(cluster.stop[holder]);
  await expect
    .poll(() => statusOf(`${cluster.instances[holder]}/healthz`), {
      timeout: 30_000,
      message: `instance ${holder + 1} stops answering`,
    })
    .toBe(0);
  console.log(`[cluster] instance ${holder + 1} down after ${Date.now() - stoppedAt} ms`);

  const missed = uniqueText('Sent while your instance was down');
  await sendMessage(pageA, missed);
  await expect(messageList(pageB).getByText(missed)).toBeVisible({ timeout: 30_000 });
  await waitForLive(pageB);
  console.log(`[cluster] instance stopped → message on B's reconnected tab: ${Date.now() - stoppedAt} ms`);
  // B's new socket is on the instance that stayed up, beside A's.
  await expect.poll(() => liveSockets(cluster.metrics[other]), { timeout: 10_000 }).toBe(2);
  await expectEachExactlyOnce(pageB, [missed]);
  await expectNotReloaded(pageB);
});
