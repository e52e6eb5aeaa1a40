import { expect, test as base, type Page } from '@playwright/test';
import {
  befriend,
  createPost,
  makeUser,
  open,
  permalinkOf,
  postBy,
  postWithLink,
  reload,
  signUp,
  submitTo,
  uniqueId,
  uniqueText,
  visibleText,
  waitForLive,
} from './helpers';

declare global {
  interface Window {
    /** Set by the live tests: survives only as long as the page is not reloaded. */
    __hearthMarker?: number;
  }
}

/** `page` is the first person (A); `pageB` is a second person in a browser context of their own. */
const test = base.extend<{ pageB: Page }>({
  pageB: async ({ browser }, use) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await use(page);
    await context.close();
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

test.describe('the feed', () => {
  test('others see a post but cannot change it; its author edits and deletes it', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups and a friend request.
    const a = makeUser();
    const b = makeUser();

    await signUp(page, a);
    const original = uniqueText('Hello from A');
    const created = await createPost(page, a, original);
    const href = await permalinkOf(created);
    // Found by its permalink from now on, so it can be followed through edits.
    const articleA = postWithLink(page, a, href);
    await expect(articleA).toBeVisible();

    // The author has the owner controls.
    await expect(articleA.getByText('Edit post', { exact: true })).toBeVisible();
    await expect(articleA.getByText('Delete post', { exact: true })).toBeVisible();

    // B becomes A's friend (posts are for friends unless made public), so
    // A's post is in B's feed; both go back to their feeds.
    await signUp(pageB, b);
    await befriend(page, a, pageB, b);
    await open(page, '/');
    await expect(articleA).toBeVisible();
    await open(pageB, '/');

    // B sees A's post, without the owner controls.
    const articleB = postWithLink(pageB, a, href);
    await expect(articleB).toBeVisible();
    await expect(visibleText(articleB, original)).toBeVisible();
    await expect(articleB.getByRole('link', { name: a.displayName, exact: true })).toBeVisible();
    await expect(articleB.getByText('Edit post', { exact: true })).toHaveCount(0);
    await expect(articleB.getByText('Delete post', { exact: true })).toHaveCount(0);
    await expect(articleB.getByLabel('Edit post text')).toHaveCount(0);
    await expect(articleB.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);

    // B keeps the feed open while A edits.
    await waitForLive(pageB);
    const feedUrlB = pageB.url();
    await markPage(pageB);

    // A edits the post.
    const edited = uniqueText('Changed words from A');
    await articleA.getByText('Edit post', { exact: true }).click();
    const editBox = articleA.getByLabel('Edit post text');
    await expect(editBox).toBeVisible();
    await expect(editBox).toHaveValue(original);
    await editBox.fill(edited);
    await articleA.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(visibleText(articleA, edited)).toBeVisible();
    await expect(visibleText(articleA, original)).toHaveCount(0);
    await expect(articleA.getByText('Edited')).toBeVisible();

    // B sees the edit live.
    await expect(visibleText(articleB, edited)).toBeVisible();
    await expect(articleB.getByText('Edited')).toBeVisible();
    await expectNotReloaded(pageB, feedUrlB);

    // The edit is stored.
    await reload(page);
    await expect(visibleText(articleA, edited)).toBeVisible();
    await expect(articleA.getByText('Edited')).toBeVisible();

    // A deletes it, after a confirmation.
    await articleA.getByText('Delete post', { exact: true }).click();
    await expect(articleA.getByText("Delete this post? This can't be undone.")).toBeVisible();
    await articleA.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(articleA).toHaveCount(0);
    await expect(visibleText(page, edited)).toHaveCount(0);

    // B sees it go, live.
    await expect(articleB).toHaveCount(0);
    await expectNotReloaded(pageB, feedUrlB);

    // Gone for good.
    await reload(page);
    await expect(page.getByRole('link', { name: `${a.displayName} (your profile)` })).toBeVisible();
    await expect(articleA).toHaveCount(0);
    await expect(postBy(page, a, edited)).toHaveCount(0);
    await reload(pageB);
    await expect(articleB).toHaveCount(0);

    // Its permalink no longer works.
    await open(page, href);
    await expect(page.getByRole('heading', { name: "This page isn't available" })).toBeVisible();
  });

  test("a new post appears in another person's open feed without a reload", async ({ page, pageB }) => {
    test.slow(); // Two sign-ups.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);
    // Friends follow each other: A's posts go to B's feed.
    await befriend(page, a, pageB, b);
    await open(page, '/');
    await open(pageB, '/');

    await waitForLive(pageB);
    const feedUrlB = pageB.url();
    await markPage(pageB);

    const text = uniqueText('Live news from A');
    await createPost(page, a, text);

    const seenByB = postBy(pageB, a, text);
    await expect(seenByB).toBeVisible({ timeout: 5_000 });
    await expect(visibleText(seenByB, text)).toBeVisible();
    await expect(seenByB).toHaveCount(1);
    await expectNotReloaded(pageB, feedUrlB);
  });

  test("the feed holds friends' and followed people's posts, not strangers', live too", async ({
    page,
    pageB,
    browser,
  }) => {
    test.slow(); // Three sign-ups and a friend request.
    const a = makeUser();
    const friend = makeUser();
    const other = makeUser();
    const otherContext = await browser.newContext();
    try {
      const pageO = await otherContext.newPage();
      await signUp(page, a);
      await signUp(pageB, friend);
      await signUp(pageO, other);
      await befriend(page, a, pageB, friend);
      await open(pageB, '/');

      // A keeps the feed open.
      await open(page, '/');
      await waitForLive(page);
      const feedUrl = page.url();
      await markPage(page);

      // A stranger's Public post (A may see it, on the stranger's profile)
      // is not for A's feed; the friend's post that follows it is.
      const fromStranger = uniqueText('Public news from a stranger');
      await createPost(pageO, other, fromStranger, { visibility: 'Public' });
      const fromFriend = uniqueText('Friends news');
      await createPost(pageB, friend, fromFriend);
      await expect(visibleText(postBy(page, friend, fromFriend), fromFriend)).toBeVisible();
      await expect(postBy(page, other, fromStranger)).toHaveCount(0);
      await expectNotReloaded(page, feedUrl);
      await reload(page);
      await expect(visibleText(postBy(page, friend, fromFriend), fromFriend)).toBeVisible();
      await expect(postBy(page, other, fromStranger)).toHaveCount(0);

      // A follows the stranger: their Public posts join the feed, live too,
      // but not their Friends posts.
      await open(page, `/u/${other.username}`);
      await submitTo(page, 'follow_user', () => page.getByRole('button', { name: 'Follow', exact: true }).click());
      await expect(page.getByRole('button', { name: 'Unfollow', exact: true })).toBeVisible();
      await open(page, '/');
      await expect(visibleText(postBy(page, other, fromStranger), fromStranger)).toBeVisible();
      await waitForLive(page);
      const feedUrl2 = page.url();
      await markPage(page);
      const forFriends = uniqueText('Just for my friends');
      await createPost(pageO, other, forFriends);
      const forAll = uniqueText('More public news');
      await createPost(pageO, other, forAll, { visibility: 'Public' });
      await expect(visibleText(postBy(page, other, forAll), forAll)).toBeVisible();
      await expect(postBy(page, other, forFriends)).toHaveCount(0);
      await expectNotReloaded(page, feedUrl2);
    } finally {
      await otherContext.close();
    }
  });

  test('links in posts are clickable, and HTML is shown as text', async ({ page }) => {
    const a = makeUser();
    await signUp(page, a);

    const withLink = `see https://example.com/x ${uniqueId()}`;
    const linkPost = await createPost(page, a, withLink);
    const link = linkPost.getByRole('link', { name: 'https://example.com/x', exact: true });
    await expect(link).toBeVisible();
    await expect(link).toHaveAttribute('href', 'https://example.com/x');

    const html = `<b>bold</b> ${uniqueId()}`;
    const htmlPost = await createPost(page, a, html);
    await expect(visibleText(htmlPost, html)).toBeVisible();
    await expect(htmlPost.getByText('bold', { exact: true })).toHaveCount(0);

    // The same from the server-rendered page.
    await reload(page);
    await expect(postBy(page, a, withLink).getByRole('link', { name: 'https://example.com/x', exact: true })).toBeVisible();
    await expect(visibleText(postBy(page, a, html), html)).toBeVisible();
    await expect(postBy(page, a, html).getByText('bold', { exact: true })).toHaveCount(0);
  });

  test('older posts load by themselves as the reader scrolls to the end', async ({ page, pageB }) => {
    test.slow(); // Two sign-ups, a friend request and eleven posts through the composer.
    const a = makeUser();
    const b = makeUser();
    await signUp(page, a);
    await signUp(pageB, b);
    await befriend(page, a, pageB, b);
    // One more than a page (FEED_PAGE_SIZE, 10) in A's feed: B's, then ten
    // of A's own (the most one person may post at once), so B's is on the
    // second page.
    await open(pageB, '/');
    const oldest = uniqueText('The oldest of eleven');
    await createPost(pageB, b, oldest);
    await open(page, '/');
    for (let i = 1; i <= 10; i += 1) {
      await createPost(page, a, uniqueText(`Post ${i} of eleven`));
    }

    await reload(page);
    const feedUrl = page.url();
    const posts = page.getByRole('article');
    await expect(posts).toHaveCount(10);
    await expect(postBy(page, b, oldest)).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Load more', exact: true })).toBeVisible();

    // Scrolling, not clicking, brings the second page, on the same page.
    await markPage(page);
    await page.mouse.wheel(0, 100_000);
    await expect(visibleText(postBy(page, b, oldest), oldest)).toBeVisible();
    await expect(posts).toHaveCount(11);
    // That was the end: nothing more to load.
    await expect(page.getByRole('link', { name: 'Load more', exact: true })).toHaveCount(0);
    await expectNotReloaded(page, feedUrl);
  });

  test('a long post is collapsed behind "See more"', async ({ page }) => {
    const a = makeUser();
    await signUp(page, a);

    const id = uniqueId();
    const start = `START${id}`;
    const end = `END${id}`;
    const filler = 'All the family news that fits in one very long post. '.repeat(20);
    const body = `${start} ${filler}`.slice(0, 900 - end.length - 1) + ` ${end}`;
    expect(body).toHaveLength(900);

    const article = await createPost(page, a, body, start);
    await expect(visibleText(article, new RegExp(start))).toBeVisible();
    const seeMore = article.getByRole('link', { name: 'See more' });
    await expect(seeMore).toBeVisible();
    await expect(visibleText(article, new RegExp(end))).toHaveCount(0);

    await seeMore.click();
    await expect(visibleText(article, new RegExp(end))).toBeVisible();
    await expect(article.getByRole('link', { name: 'See more' })).toHaveCount(0);

    // Collapsed again when the feed is loaded afresh; whole on its permalink.
    await reload(page);
    const again = postBy(page, a, start);
    await expect(again.getByRole('link', { name: 'See more' })).toBeVisible();
    await expect(visibleText(again, new RegExp(end))).toHaveCount(0);
    const href = await permalinkOf(again);
    await open(page, href);
    const single = postBy(page, a, start);
    await expect(visibleText(single, new RegExp(end))).toBeVisible();
    await expect(single.getByRole('link', { name: 'See more' })).toHaveCount(0);
  });
});
