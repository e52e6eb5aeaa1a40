import { expect, test as base, type Browser, type Page } from '@playwright/test';
import {
  acceptFriendRequest,
  befriend,
  composer,
  createPost,
  friendsSection,
  makeUser,
  open,
  openProfile,
  permalinkOf,
  personItem,
  postBy,
  profileHeading,
  reload,
  sendFriendRequest,
  signUp,
  submitTo,
  uniqueId,
  uniqueText,
  visibleText,
  type Visibility,
  waitForLive,
} from './helpers';

declare global {
  interface Window {
    /** Set by the live tests: survives only as long as the page is not reloaded. */
    __hearthMarker?: number;
  }
}

/** A page in a browser context of its own (another person), closed after the test. */
async function newPersonPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/**
 * `page` is the first person (A); `pageB` and `pageC` are two more people,
 * each in a browser context of their own.
 */
const test = base.extend<{ pageB: Page; pageC: Page }>({
  pageB: async ({ browser }, use) => {
    const page = await newPersonPage(browser);
    await use(page);
    await page.context().close();
  },
  pageC: async ({ browser }, use) => {
    const page = await newPersonPage(browser);
    await use(page);
    await page.context().close();
  },
});

/** Marks the page's JavaScript realm, so we can tell later that it was not reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.__hearthMarker = 1;
  });
}

async function expectNotReloaded(page: Page, url: string): Promise<void> {
  expect(await page.evaluate(() => window.__hearthMarker)).toBe(1);
  expect(page.url()).toBe(url);
}

function notAvailable(page: Page) {
  return page.getByRole('heading', { name: "This page isn't available" });
}

/** The heading of the search page for `q`. */
function resultsHeading(page: Page, q: string) {
  return page.getByRole('heading', { level: 1, name: `Search results for “${q}”`, exact: true });
}

/** The "Friends" menu button (with its chevron) of a profile whose owner is the viewer's friend. */
function friendsMenu(page: Page) {
  return page.getByRole('button', { name: 'Friends', exact: true });
}

test.describe('friends', () => {
  test('two people become friends through a request', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);

    // Strangers: no "Friends" menu yet.
    await openProfile(page, b);
    await expect(friendsMenu(page)).toHaveCount(0);

    // A asks from B's profile; the button becomes "Cancel request".
    await sendFriendRequest(page, b);
    await reload(page);
    await expect(page.getByRole('button', { name: 'Cancel request', exact: true })).toBeVisible();

    // A's own list of sent requests has B.
    await open(page, '/friends');
    await expect(personItem(friendsSection(page, 'Sent requests'), b)).toBeVisible();

    // B sees the request on A's profile...
    await openProfile(pageB, a);
    await expect(pageB.getByText('Sent you a friend request', { exact: true })).toBeVisible();
    await expect(pageB.getByRole('button', { name: 'Accept', exact: true })).toBeVisible();
    await expect(pageB.getByRole('button', { name: 'Decline', exact: true })).toBeVisible();
    await expect(pageB.getByRole('button', { name: 'Add friend', exact: true })).toHaveCount(0);

    // ...and in "Friend requests", where they accept it.
    await acceptFriendRequest(pageB, a);

    // Both profiles now show the "Friends" menu, whose menu offers "Unfriend".
    await openProfile(pageB, a);
    await expect(friendsMenu(pageB)).toBeVisible();
    await expect(pageB.getByText('Sent you a friend request', { exact: true })).toHaveCount(0);
    await expect(pageB.getByRole('button', { name: 'Accept', exact: true })).toHaveCount(0);
    await openProfile(page, b);
    await expect(friendsMenu(page)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Cancel request', exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Add friend', exact: true })).toHaveCount(0);
    await friendsMenu(page).click();
    await expect(page.getByRole('button', { name: 'Unfriend', exact: true })).toBeVisible();

    // Each is among the other's friends, on /friends and on the profile.
    await open(page, '/friends');
    await expect(personItem(friendsSection(page, 'Your friends'), b)).toBeVisible();
    await expect(personItem(friendsSection(page, 'Sent requests'), b)).toHaveCount(0);
    await openProfile(pageB, a);
    await expect(personItem(friendsSection(pageB, 'Friends'), b)).toBeVisible();
  });
});

test.describe('who sees a post', () => {
  test('a Friends post reaches friends only; a Public post reaches everyone', async ({
    page,
    pageB,
    pageC,
  }) => {
    test.slow(); // Three sign-ups.
    const a = makeUser();
    const friend = makeUser();
    const stranger = makeUser();
    await signUp(page, a);
    await signUp(pageB, friend);
    await signUp(pageC, stranger);
    await befriend(page, a, pageB, friend);

    // The composer's audience is Friends unless changed, and goes back to
    // Friends after a Public post.
    await open(page, '/');
    const audience = composer(page).getByLabel('Who can see this?');
    await expect(audience).toHaveValue('friends');
    const forAll = uniqueText('For everyone to see');
    const publicHref = await permalinkOf(await createPost(page, a, forAll, { visibility: 'Public' }));
    await expect(audience).toHaveValue('friends');
    const forFriends = uniqueText('Only for my friends');
    const friendsHref = await permalinkOf(await createPost(page, a, forFriends));

    // The friend sees the Friends post in the feed and on its permalink.
    await open(pageB, '/');
    await expect(visibleText(postBy(pageB, a, forFriends), forFriends)).toBeVisible();
    await open(pageB, friendsHref);
    await expect(visibleText(postBy(pageB, a, forFriends), forFriends)).toBeVisible();
    await expect(postBy(pageB, a, forFriends).getByRole('img', { name: 'Visible to: Friends' })).toBeVisible();

    // The stranger can't open it...
    await open(pageC, friendsHref);
    await expect(notAvailable(pageC)).toBeVisible();
    await expect(visibleText(pageC, forFriends)).toHaveCount(0);

    // ...nor find it on A's profile, which shows the Public post.
    await openProfile(pageC, a);
    await expect(visibleText(postBy(pageC, a, forAll), forAll)).toBeVisible();
    await expect(postBy(pageC, a, forFriends)).toHaveCount(0);
    await expect(visibleText(pageC, forFriends)).toHaveCount(0);

    // The Public post's permalink works for the stranger too.
    await open(pageC, publicHref);
    await expect(visibleText(postBy(pageC, a, forAll), forAll)).toBeVisible();
    await expect(postBy(pageC, a, forAll).getByRole('img', { name: 'Visible to: Public' })).toBeVisible();
  });

  test('the author changes who can see a post', async ({ page, pageB, pageC }) => {
    test.slow(); // Three sign-ups.
    const a = makeUser();
    const friend = makeUser();
    const stranger = makeUser();
    await signUp(page, a);
    await signUp(pageB, friend);
    await signUp(pageC, stranger);
    await befriend(page, a, pageB, friend);

    await open(page, '/');
    const text = uniqueText('Changing audiences');
    const href = await permalinkOf(await createPost(page, a, text));
    await open(pageC, href);
    await expect(notAvailable(pageC)).toBeVisible();

    /** A edits the post's audience on its page. */
    async function changeAudience(to: Visibility): Promise<void> {
      await open(page, href);
      const post = postBy(page, a, text);
      await post.getByText('Edit post', { exact: true }).click();
      const edit = post.getByRole('group').filter({ has: page.getByLabel('Edit post text') });
      await edit.getByLabel('Who can see this?').selectOption({ label: to }, { timeout: 5_000 });
      await submitTo(page, 'update_post', () => edit.getByRole('button', { name: 'Save', exact: true }).click());
      await expect(post.getByRole('img', { name: `Visible to: ${to}` })).toBeVisible();
    }

    // Public: now the stranger may open it.
    await changeAudience('Public');
    await open(pageC, href);
    await expect(visibleText(postBy(pageC, a, text), text)).toBeVisible();
    await expect(postBy(pageC, a, text).getByRole('img', { name: 'Visible to: Public' })).toBeVisible();

    // Only me: neither the friend nor the stranger; the author still does.
    await changeAudience('Only me');
    await reload(page);
    await expect(visibleText(postBy(page, a, text), text)).toBeVisible();
    await open(pageB, href);
    await expect(notAvailable(pageB)).toBeVisible();
    await open(pageC, href);
    await expect(notAvailable(pageC)).toBeVisible();
  });
});

test.describe('reactions and comments', () => {
  test("a friend's reaction and comment appear live on the post's page", async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);
    await befriend(page, a, pageB, b);

    await open(page, '/');
    const text = uniqueText('What do you think of this?');
    const href = await permalinkOf(await createPost(page, a, text));

    // A keeps the post's page open; its comments are open there.
    await open(page, href);
    const postA = postBy(page, a, text);
    await expect(postA).toBeVisible();
    await expect(postA.getByText('No comments yet.', { exact: true })).toBeVisible();
    await expect(postA.getByRole('button', { name: /, see who reacted$/ })).toHaveCount(0);
    await waitForLive(page);
    const urlA = page.url();
    await markPage(page);

    // B reacts with Love on the same page.
    await open(pageB, href);
    const postB = postBy(pageB, a, text);
    // The picker is only there once asked for, and closes on a choice.
    const moreB = postB.getByRole('button', { name: 'More reactions', exact: true });
    const love = postB.getByRole('button', { name: 'React with Love', exact: true });
    await expect(love).toHaveCount(0);
    await moreB.click();
    await expect(moreB).toHaveAttribute('aria-expanded', 'true');
    await submitTo(pageB, 'react_to_post', () => love.click());
    await expect(love).toHaveCount(0);
    await expect(moreB).toHaveAttribute('aria-expanded', 'false');
    await moreB.click();
    await expect(love).toHaveAttribute('aria-pressed', 'true');
    await expect(postB.getByRole('button', { name: 'React with Like', exact: true })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await pageB.keyboard.press('Escape');
    await expect(love).toHaveCount(0);
    await expect(moreB).toBeFocused();
    await expect(postB.getByRole('button', { name: '1 reaction, see who reacted', exact: true })).toBeVisible();

    // A sees the count without reloading, and who it was.
    const summary = postA.getByRole('button', { name: '1 reaction, see who reacted', exact: true });
    await expect(summary).toBeVisible();
    await summary.click();
    const reactors = postA.getByRole('list', { name: 'People who reacted' });
    await expect(reactors.getByRole('link', { name: b.displayName, exact: true })).toBeVisible();
    await expect(reactors.getByRole('img', { name: 'Love', exact: true })).toBeVisible();
    // A didn't react.
    await postA.getByRole('button', { name: 'More reactions', exact: true }).click();
    await expect(postA.getByRole('button', { name: 'React with Love', exact: true })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await postA.getByRole('button', { name: 'More reactions', exact: true }).click();
    await expect(postA.getByRole('group', { name: 'Reactions', exact: true })).toHaveCount(0);
    // A click elsewhere closes it too.
    await postA.getByRole('button', { name: 'More reactions', exact: true }).click();
    await expect(postA.getByRole('group', { name: 'Reactions', exact: true })).toBeVisible();
    await visibleText(postA, text).click();
    await expect(postA.getByRole('group', { name: 'Reactions', exact: true })).toHaveCount(0);
    await expectNotReloaded(page, urlA);

    // B comments.
    const said = uniqueText('Lovely, well done');
    await postB.getByLabel('Write a comment').fill(said);
    await submitTo(pageB, 'add_comment', () =>
      postB.getByRole('button', { name: 'Comment', exact: true }).click(),
    );
    const commentB = pageB.getByRole('article', { name: `Comment by ${b.displayName}`, exact: true });
    await expect(visibleText(commentB, said)).toBeVisible();
    await expect(postB.getByLabel('Write a comment')).toHaveValue('');
    await expect(postB.getByRole('button', { name: 'Comments (1)' })).toBeVisible();

    // A sees it without reloading, and the count follows.
    const commentOnA = postA.getByRole('article', { name: `Comment by ${b.displayName}`, exact: true });
    await expect(visibleText(commentOnA, said)).toBeVisible();
    await expect(commentOnA.getByRole('link', { name: b.displayName, exact: true })).toBeVisible();
    await expect(postA.getByRole('button', { name: 'Comments (1)' })).toBeVisible();
    await expect(postA.getByText('No comments yet.', { exact: true })).toHaveCount(0);
    await expectNotReloaded(page, urlA);

    // Both are stored.
    await reload(page);
    await expect(postA.getByRole('button', { name: '1 reaction, see who reacted', exact: true })).toBeVisible();
    await expect(visibleText(commentOnA, said)).toBeVisible();
  });

  test('a reply to a comment', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);

    // A Public post, so B (a stranger) may comment.
    const text = uniqueText('Ask me anything');
    const href = await permalinkOf(await createPost(page, a, text, { visibility: 'Public' }));

    await open(pageB, href);
    const postB = postBy(pageB, a, text);
    const question = uniqueText('Where was this?');
    await postB.getByLabel('Write a comment').fill(question);
    await submitTo(pageB, 'add_comment', () =>
      postB.getByRole('button', { name: 'Comment', exact: true }).click(),
    );
    await expect(
      visibleText(postB.getByRole('article', { name: `Comment by ${b.displayName}`, exact: true }), question),
    ).toBeVisible();

    // A replies from the post's page.
    await open(page, href);
    const postA = postBy(page, a, text);
    const comment = postA.getByRole('article', { name: `Comment by ${b.displayName}`, exact: true });
    await expect(visibleText(comment, question)).toBeVisible();
    await comment.getByRole('button', { name: 'Reply', exact: true }).click();
    const answer = uniqueText('At the lake');
    const replyBox = comment.getByLabel('Write a reply');
    await expect(replyBox).toBeFocused();
    await replyBox.fill(answer);
    await submitTo(page, 'add_comment', () =>
      comment.getByRole('button', { name: 'Reply', exact: true }).click(),
    );
    const reply = postA.getByRole('article', { name: `Comment by ${a.displayName}`, exact: true });
    await expect(visibleText(reply, answer)).toBeVisible();
    await expect(comment.getByRole('button', { name: 'Hide replies', exact: true })).toBeVisible();
    await expect(postA.getByRole('button', { name: 'Comments (2)' })).toBeVisible();

    // B finds the reply under the comment after loading the page afresh.
    await reload(pageB);
    const commentOnB = postB.getByRole('article', { name: `Comment by ${b.displayName}`, exact: true });
    const viewReplies = commentOnB.getByRole('button', { name: 'View 1 reply', exact: true });
    await expect(viewReplies).toBeVisible();
    await expect(visibleText(pageB, answer)).toHaveCount(0);
    await viewReplies.click();
    await expect(
      visibleText(postB.getByRole('article', { name: `Comment by ${a.displayName}`, exact: true }), answer),
    ).toBeVisible();
  });
});

test.describe('sharing', () => {
  test('a Public post shared appears, embedded, in the sharer\'s feed', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);
    const text = uniqueText('Worth passing on');
    const href = await permalinkOf(await createPost(page, a, text, { visibility: 'Public' }));

    // B, a stranger, shares it from its page with a few words.
    await open(pageB, href);
    const original = postBy(pageB, a, text);
    await original.getByRole('button', { name: 'Share', exact: true }).click();
    const comment = uniqueText('Look at this');
    await original.getByLabel('Say something about this').fill(comment);
    await submitTo(pageB, 'share_post', () =>
      original.getByRole('button', { name: 'Share now', exact: true }).click(),
    );
    await expect(original.getByRole('status')).toHaveText('Shared to your feed.');

    // In B's feed: B's post, with B's words and A's post inside.
    await open(pageB, '/');
    const share = postBy(pageB, b, comment);
    await expect(share).toBeVisible();
    await expect(visibleText(share, comment)).toBeVisible();
    await expect(visibleText(share, text)).toBeVisible();
    await expect(share.getByRole('link', { name: a.displayName, exact: true })).toBeVisible();
    await expect(share.locator(`a[href="${href}"]`)).toBeVisible();
  });
});

test.describe('search', () => {
  test('the top bar finds people by first name and posts by a word', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const word = `Zebrafinch${uniqueId()}`;
    // A first name nobody else has, so the person is the one result.
    const other = makeUser({ firstName: `Quill${uniqueId().replace(/\d/g, '')}` });
    const searcher = makeUser();
    await signUp(pageB, other);
    const text = `Spotted a ${word} in the garden`;
    await createPost(pageB, other, text, { visibility: 'Public' });

    await signUp(page, searcher);
    const box = page.getByRole('searchbox', { name: 'Search Hearth' });

    // People, by first name.
    await box.fill(other.firstName);
    await box.press('Enter');
    await expect(page).toHaveURL(/\/search\?q=/);
    await expect(resultsHeading(page, other.firstName)).toBeVisible();
    await expect(page.getByRole('tab', { name: 'People', exact: true })).toHaveAttribute('aria-selected', 'true');
    const people = page.getByRole('tabpanel');
    await expect(personItem(people, other)).toBeVisible();
    await expect(people.getByRole('listitem')).toHaveCount(1);
    await expect(people.getByText(`@${other.username}`, { exact: true })).toBeVisible();

    // The person's card leads to the profile.
    await people.getByRole('link', { name: other.displayName, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/u/${other.username}$`));
    await expect(profileHeading(page, other)).toBeVisible();

    // Posts, by a word in them.
    await box.fill(word.toLowerCase());
    await box.press('Enter');
    await expect(resultsHeading(page, word.toLowerCase())).toBeVisible();
    await expect(page.getByRole('tabpanel').getByText('No people found.', { exact: true })).toBeVisible();
    await page.getByRole('tab', { name: 'Posts', exact: true }).click();
    await expect(page).toHaveURL(/[?&]tab=posts/);
    await expect(page.getByRole('tab', { name: 'Posts', exact: true })).toHaveAttribute('aria-selected', 'true');
    const found = postBy(page, other, word);
    await expect(visibleText(found, text)).toBeVisible();
    await expect(page.getByRole('tabpanel').getByRole('article')).toHaveCount(1);
  });
});

test.describe('blocking', () => {
  test('a blocked person loses the profile until unblocked in settings', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);
    const text = uniqueText('Public, but not for blocked people');
    const href = await permalinkOf(await createPost(page, a, text, { visibility: 'Public' }));

    // B can see A's profile and public post at first.
    await openProfile(pageB, a);
    await expect(visibleText(postBy(pageB, a, text), text)).toBeVisible();

    // A blocks B from B's profile, after a confirmation.
    await openProfile(page, b);
    await page.getByRole('button', { name: 'More', exact: true }).click();
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await expect(
      page.getByText(
        `Block ${b.displayName}? They won't be able to see your profile or posts, or contact you.`,
        { exact: true },
      ),
    ).toBeVisible();
    await submitTo(page, 'block_user', () => page.getByRole('button', { name: 'Block', exact: true }).click());
    // Only "Unblock" is left on the profile.
    await expect(page.getByRole('button', { name: 'Unblock', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add friend', exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Follow', exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'More', exact: true })).toHaveCount(0);

    // B no longer finds A's profile, nor the public post.
    await open(pageB, `/u/${a.username}`);
    await expect(notAvailable(pageB)).toBeVisible();
    await expect(profileHeading(pageB, a)).toHaveCount(0);
    await expect(visibleText(pageB, text)).toHaveCount(0);
    await open(pageB, href);
    await expect(notAvailable(pageB)).toBeVisible();
    await expect(visibleText(pageB, text)).toHaveCount(0);

    // A unblocks B in settings.
    await open(page, '/settings');
    const blocked = page.getByRole('region', { name: 'Blocked people', exact: true });
    const entry = personItem(blocked, b);
    await expect(entry).toBeVisible();
    await submitTo(page, 'unblock_user', () =>
      entry.getByRole('button', { name: 'Unblock', exact: true }).click(),
    );
    await expect(entry).toHaveCount(0);
    await expect(blocked.getByText("You haven't blocked anyone.", { exact: true })).toBeVisible();

    // B sees A's profile and post again; A's profile of B offers "Add friend" again.
    await openProfile(pageB, a);
    await expect(notAvailable(pageB)).toHaveCount(0);
    await expect(visibleText(postBy(pageB, a, text), text)).toBeVisible();
    await openProfile(page, b);
    await expect(page.getByRole('button', { name: 'Add friend', exact: true })).toBeVisible();
  });
});
