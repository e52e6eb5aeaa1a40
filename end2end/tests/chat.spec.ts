import { expect, type Page, type WebSocketRoute } from '@playwright/test';
import {
  befriend,
  bellLink,
  logIn,
  makeUser,
  messageList,
  messagesLink,
  open,
  openChatWith,
  sendFriendRequest,
  sendMessage as send,
  signUp,
  submitTo,
  uniqueText,
  type User,
  waitForLive,
  testWithSecondPage as test,
} from './helpers';

/**
 * Chat, presence and notifications with two or three people, each in a
 * browser context of their own.
 */

async function twoFriends(page: Page, pageB: Page): Promise<[User, User]> {
  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  await befriend(page, a, pageB, b);
  return [a, b];
}

test('a message arrives live, typing shows and clears, "Seen" appears and the unread badge clears', async ({
  page,
  pageB,
}) => {
  test.setTimeout(90_000);
  const [a, b] = await twoFriends(page, pageB);
  await open(pageB, '/');
  await waitForLive(pageB);
  await expect(messagesLink(pageB)).toHaveAccessibleName('Messages');

  await openChatWith(page, b);
  const first = uniqueText('Hello there');
  await send(page, first);
  await expect(messageList(page).getByText(first)).toBeVisible();

  // B, elsewhere on the site, gets the badge live; the mailbox shows the conversation.
  await expect(messagesLink(pageB)).toHaveAccessibleName('Messages, 1 unread');
  await messagesLink(pageB).click();
  const row = pageB.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: a.displayName });
  await expect(row).toContainText(first);
  await expect(row).toContainText('1 unread');
  await row.getByRole('link').click();
  await expect(messageList(pageB).getByText(first)).toBeVisible();
  await waitForLive(pageB);

  // Opening it marks it read: A sees "Seen", B's badge clears.
  await expect(messageList(page).getByText('Seen', { exact: true })).toBeVisible();
  await expect(messagesLink(pageB)).toHaveAccessibleName('Messages');

  // Typing: shown to B while A types, gone 5 s after A stops.
  await page.getByLabel('Message', { exact: true }).fill('typing something');
  await expect(pageB.getByText(`${a.displayName} is typing…`)).toBeVisible();
  await expect(pageB.getByText(`${a.displayName} is typing…`)).toBeHidden({ timeout: 8_000 });

  // A new message reaches B's open conversation live, no reload. (How fast
  // is live-bench's business, not a debug build's: the timeout is generous.)
  await pageB.evaluate(() => {
    (window as unknown as { __marker: number }).__marker = 1;
  });
  const second = uniqueText('Second message');
  await page.getByLabel('Message', { exact: true }).fill(second);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(messageList(pageB).getByText(second)).toBeVisible({ timeout: 15_000 });
  expect(await pageB.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
  // B reads it there and then, so "Seen" follows A's newest message.
  await expect(
    messageList(page).getByRole('listitem').filter({ hasText: second }).getByText('Seen', { exact: true }),
  ).toBeVisible();
  // A's two messages, seconds apart, form one group: A's name heads the
  // first only.
  const fromA = messageList(pageB).getByRole('listitem', { name: `Message from ${a.displayName}` });
  await expect(fromA).toHaveCount(2);
  await expect(fromA.nth(0).getByText(a.displayName, { exact: true })).toBeVisible();
  await expect(fromA.nth(1).getByText(a.displayName, { exact: true })).toHaveCount(0);
  await expect(fromA.nth(1)).toContainText(second);
});

test('a group shows "Seen by 2" once both others read, and edits and deletions reach everyone', async ({
  page,
  pageB,
  browser,
}) => {
  test.setTimeout(120_000);
  const [a, b] = await twoFriends(page, pageB);
  const contextC = await browser.newContext();
  const pageC = await contextC.newPage();
  const c = makeUser();
  await signUp(pageC, c);
  await befriend(page, a, pageC, c);

  const name = uniqueText('Family');
  await open(page, '/messages/new');
  await page.getByLabel('Group name').fill(name);
  await page.getByRole('group', { name: 'Members' }).getByLabel(b.displayName).check();
  await page.getByRole('group', { name: 'Members' }).getByLabel(c.displayName).check();
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await waitForLive(page);
  const text = uniqueText('Dinner on Sunday?');
  await send(page, text);

  for (const other of [pageB, pageC]) {
    await open(other, '/notifications');
    await expect(other.getByText(`${a.displayName} added you to “${name}”`)).toBeVisible();
    await open(other, '/messages');
    await other.getByRole('link', { name: new RegExp(name) }).click();
    await expect(messageList(other).getByText(text)).toBeVisible();
    await waitForLive(other);
  }
  await expect(messageList(page).getByText('Seen by 2', { exact: true })).toBeVisible();

  const mine = messageList(page).getByRole('listitem').filter({ hasText: text });
  // Your message's actions are in its "Message actions" menu.
  await mine.getByRole('button', { name: 'Message actions' }).click();
  await mine.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Edit message').fill(`${text} (7 pm)`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(messageList(pageB).getByText(`${text} (7 pm)`)).toBeVisible();
  await expect(messageList(pageB).getByText('(edited)')).toBeVisible();
  await mine.getByRole('button', { name: 'Message actions' }).click();
  await mine.getByRole('button', { name: 'Delete', exact: true }).click();
  await mine.getByRole('button', { name: 'Delete message', exact: true }).click();
  await expect(messageList(pageC).getByText('This message was deleted')).toBeVisible();
  await expect(messageList(pageC).getByText(text)).toHaveCount(0);
  await contextC.close();
});

test('B, away while A sends two messages, sees both exactly once on return', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const contextB = await browser.newContext();
  const pageB = await contextB.newPage();
  const [, b] = await twoFriends(page, pageB);
  await openChatWith(page, b);
  const hello = uniqueText('Before you go');
  await send(page, hello);
  await open(pageB, '/messages');
  await pageB.getByRole('list', { name: 'Conversations' }).getByRole('link').first().click();
  await expect(messageList(pageB).getByText(hello)).toBeVisible();
  await contextB.close();

  const one = uniqueText('First while away');
  const two = uniqueText('Second while away');
  await send(page, one);
  await send(page, two);

  const back = await (await browser.newContext()).newPage();
  await logIn(back, b);
  await expect(messagesLink(back)).toHaveAccessibleName('Messages, 2 unread');
  await messagesLink(back).click();
  await back.getByRole('list', { name: 'Conversations' }).getByRole('link').first().click();
  await waitForLive(back);
  await expectExactlyOnceAfterALaterMessage(page, back, [hello, one, two]);
  await back.context().close();
});

/**
 * Checks that each of `texts` shows exactly once in `pageB`'s open
 * conversation, and nothing else does. A late duplicate (a replay racing the
 * page's own fetch) would arrive before anything sent afterwards, so A first
 * sends one more message and we wait for it to show live; only then are the
 * messages counted, once, without retrying (a retrying count passes as soon
 * as it is right, before a duplicate could arrive).
 */
async function expectExactlyOnceAfterALaterMessage(page: Page, pageB: Page, texts: string[]): Promise<void> {
  const last = uniqueText('And one more');
  await send(page, last);
  await expect(messageList(pageB).getByText(last)).toBeVisible({ timeout: 15_000 });
  for (const text of [...texts, last]) {
    expect(await messageList(pageB).getByText(text).count(), text).toBe(1);
  }
  expect(await messageList(pageB).getByRole('listitem').count()).toBe(texts.length + 1);
}

test('when B\'s socket drops, the tab reconnects and shows the messages it missed exactly once, without a reload', async ({
  page,
  pageB,
}) => {
  test.setTimeout(90_000);
  // B's live socket goes through a proxy we can cut: while `online` is
  // false, reconnection attempts are refused.
  let online = true;
  let current: WebSocketRoute | undefined;
  await pageB.routeWebSocket(/\/ws/, (ws) => {
    if (!online) {
      ws.close();
      return;
    }
    ws.connectToServer();
    current = ws;
  });
  const [a, b] = await twoFriends(page, pageB);
  await openChatWith(page, b);
  const before = uniqueText('Before the drop');
  await send(page, before);
  await open(pageB, '/messages');
  await pageB.getByRole('list', { name: 'Conversations' }).getByRole('link').first().click();
  await expect(messageList(pageB).getByText(before)).toBeVisible();
  await waitForLive(pageB);
  await pageB.evaluate(() => {
    (window as unknown as { __marker: number }).__marker = 1;
  });

  online = false;
  await current?.close();
  await expect(pageB.locator('body')).toHaveAttribute('data-live', 'disconnected');
  const one = uniqueText('Missed one');
  const two = uniqueText('Missed two');
  await send(page, one);
  await send(page, two);
  await expect(messageList(pageB).getByText(one)).toHaveCount(0);

  online = true;
  await waitForLive(pageB);
  // The missed messages show (the reconnect replays them)...
  for (const text of [one, two]) {
    await expect(messageList(pageB).getByText(text)).toBeVisible();
  }
  // ...and, once a later message has arrived live, each exactly once.
  await expectExactlyOnceAfterALaterMessage(page, pageB, [before, one, two]);
  expect(await pageB.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
});

test('presence: a friend shows online while their tab is open, then last seen after the grace period', async ({
  page,
  browser,
}) => {
  // Offline is announced 30 s after the last tab closes.
  test.setTimeout(150_000);
  const contextB = await browser.newContext();
  const pageB = await contextB.newPage();
  const [, b] = await twoFriends(page, pageB);
  await open(page, '/friends');
  await waitForLive(page);
  const friendRow = page
    .getByRole('region', { name: 'Your friends', exact: true })
    .getByRole('listitem')
    .filter({ hasText: b.displayName });
  await expect(friendRow.getByText('Online', { exact: true })).toBeVisible();

  await contextB.close();
  await expect(friendRow.getByText(/^Last seen/)).toBeVisible({ timeout: 45_000 });
  await expect(friendRow.getByText('Online', { exact: true })).toHaveCount(0);

  const back = await (await browser.newContext()).newPage();
  await logIn(back, b);
  await waitForLive(back);
  await expect(friendRow.getByText('Online', { exact: true })).toBeVisible();
  await back.context().close();
});

test('a friend request notification arrives live and can be accepted from it', async ({ page, pageB }) => {
  test.setTimeout(90_000);
  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  await open(pageB, '/notifications');
  await waitForLive(pageB);
  await expect(bellLink(pageB)).toHaveAccessibleName('Notifications');

  await sendFriendRequest(page, b);
  await expect(bellLink(pageB)).toHaveAccessibleName('Notifications, 1 unread');
  const item = pageB
    .getByRole('list', { name: 'Notifications' })
    .getByRole('listitem')
    .filter({ hasText: `${a.displayName} sent you a friend request` });
  await expect(item).toBeVisible();
  await submitTo(pageB, 'accept_friend_request', () =>
    item.getByRole('button', { name: 'Accept', exact: true }).click(),
  );
  await expect(item.getByRole('button', { name: 'Accept', exact: true })).toHaveCount(0);
  await expect(bellLink(pageB)).toHaveAccessibleName('Notifications');

  await open(pageB, '/friends');
  await expect(
    pageB.getByRole('region', { name: 'Your friends', exact: true }).getByText(a.displayName),
  ).toBeVisible();
  await open(page, '/notifications');
  await expect(page.getByText(`${b.displayName} accepted your friend request`)).toBeVisible();
});

/** Calls server function `name` as the person signed in on `page`, as a form would. */
async function callAs<T>(page: Page, name: string, form: Record<string, string>): Promise<T> {
  const answer = await page.request.post(`/api/${name}`, { form });
  expect(answer.ok(), `${name}: ${answer.status()} ${await answer.text()}`).toBe(true);
  return (await answer.json()) as T;
}

test('notifications past the first 20 load as the reader scrolls', async ({ page, pageB }) => {
  test.setTimeout(120_000);
  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  // 21 notifications for A, one more than a page (NOTIFICATIONS_PAGE_SIZE):
  // B reacts to and comments on ten posts of A's (one notification each per
  // post), then replies to A's own comment on the first.
  const posts: { id: number }[] = [];
  for (let i = 1; i <= 10; i += 1) {
    posts.push(await callAs(page, 'create_post', { body: uniqueText(`Post ${i}`), visibility: 'public' }));
  }
  const mine = await callAs<{ id: number }>(page, 'add_comment', {
    post_id: String(posts[0].id),
    body: 'My own comment',
  });
  for (const post of posts) {
    await callAs(pageB, 'react_to_post', { post_id: String(post.id), kind: 'like' });
    await callAs(pageB, 'add_comment', { post_id: String(post.id), body: uniqueText('Nice') });
  }
  await callAs(pageB, 'add_comment', {
    post_id: String(posts[0].id),
    parent_id: String(mine.id),
    body: uniqueText('Thanks'),
  });

  await open(page, '/notifications');
  const rows = page.getByRole('list', { name: 'Notifications' }).getByRole('listitem');
  await expect(rows.first()).toContainText(b.displayName);
  const url = page.url();
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
  // Scrolling to the end brings the last one, without a reload.
  await page.mouse.wheel(0, 100_000);
  await expect(rows).toHaveCount(21);
  await expect(rows.last()).toContainText(`${b.displayName} reacted to your post`);
  await expect(page.getByRole('link', { name: 'Load more', exact: true })).toHaveCount(0);
  expect(page.url()).toBe(url);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
});
