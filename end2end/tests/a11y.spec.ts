import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import {
  befriend,
  createPost,
  logInRegion,
  makeUser,
  open,
  openChatWith,
  openProfile,
  postBy,
  sendMessage,
  signUp,
  submitTo,
  testWithSecondPage as test,
  uniqueText,
  waitForHydration,
} from './helpers';

/**
 * Accessibility of the four pages a visitor sees most: the log-in page, the
 * feed, a profile and a conversation, each in the light and the dark
 * colour scheme, checked with axe-core (every rule it runs by default:
 * WCAG 2.0–2.2 A/AA and its best practices, plus the two Lighthouse adds:
 * `label-content-name-mismatch`, WCAG 2.5.3 "Label in Name", and
 * `target-size`, WCAG 2.5.8 "Target Size (Minimum)"). A serious or critical
 * violation fails the test; the message lists each rule and the elements
 * that break it.
 */

/** Rules axe leaves off by default that Lighthouse's accessibility audit runs. */
const LIGHTHOUSE_RULES = {
  'label-content-name-mismatch': { enabled: true },
  'target-size': { enabled: true },
};

/** What axe found on `page`, in the colour scheme the page has now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).options({ rules: LIGHTHOUSE_RULES }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
          .join('\n'),
    );
}

/** Checks `page` as it is, in light and then in dark. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect.soft(await seriousViolations(page), `${what}, ${colorScheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
}

test('the log-in page, the feed, a profile and a conversation have no serious accessibility violation', async ({
  page,
  pageB,
}) => {
  test.setTimeout(180_000);

  // Signed out, `/` is the log-in page.
  await open(page, '/');
  await expect(logInRegion(page)).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page, 'the log-in page');

  const a = makeUser();
  const b = makeUser();
  await signUp(page, a);
  await signUp(pageB, b);
  await befriend(page, a, pageB, b);
  const text = uniqueText('Accessible post');
  await open(pageB, '/');
  await createPost(pageB, b, text);

  await open(page, '/');
  const post = postBy(page, b, text);
  await expect(post).toBeVisible();
  await expectAccessible(page, 'the feed');

  // A reacts and comments: the post shows its reaction summary, and its
  // comments are open with the comment's own buttons.
  await waitForHydration(page);
  await submitTo(page, 'react_to_post', () =>
    post.getByRole('button', { name: 'Like', exact: true }).click(),
  );
  await expect(post.getByRole('button', { name: '1 reaction, see who reacted', exact: true })).toBeVisible();
  await post.getByRole('button', { name: 'Comments (0)', exact: true }).click();
  const comment = uniqueText('Lovely');
  await post.getByLabel('Write a comment').fill(comment);
  await submitTo(page, 'add_comment', () =>
    post.getByRole('button', { name: 'Comment', exact: true }).click(),
  );
  await expect(post.getByRole('article', { name: `Comment by ${a.displayName}`, exact: true })).toBeVisible();
  await expect(post.getByRole('button', { name: 'Comments (1)', exact: true })).toBeVisible();
  await post.getByRole('button', { name: 'More reactions', exact: true }).click();
  await expect(post.getByRole('button', { name: 'React with Like', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expectAccessible(page, 'the feed, with a reaction, the reaction picker and an open comment');

  await openProfile(page, b);
  await expect(page.getByText(text)).toBeVisible();
  await expectAccessible(page, 'a profile');

  await openChatWith(page, b);
  const message = uniqueText('Hello');
  await sendMessage(page, message);
  await expect(page.getByRole('list', { name: 'Messages' }).getByText(message)).toBeVisible();
  await expectAccessible(page, 'a conversation');
});
