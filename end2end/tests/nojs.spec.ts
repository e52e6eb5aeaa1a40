import { expect, test } from '@playwright/test';
import {
  AUTH_TIMEOUT,
  composer,
  createPost,
  logIn,
  logOut,
  makeUser,
  newNoJsContext,
  permalinkOf,
  postBy,
  postWithLink,
  profileLink,
  reload,
  signUp,
  signUpRegion,
  submitSignUp,
  uniqueText,
  visibleText,
} from './helpers';

// Everything here runs with JavaScript disabled: forms are plain HTML POSTs
// and the server redirects back to the page they were sent from.
test.describe('without JavaScript', () => {
  test('sign up, post, reload, log out and log back in', async ({ browser }) => {
    const context = await newNoJsContext(browser);
    try {
      const page = await context.newPage();
      const user = makeUser();

      await signUp(page, user);
      // Really without JavaScript: the app never hydrated.
      await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
      await expect(composer(page).getByLabel("What's on your mind?")).toBeVisible();

      const text = uniqueText('Posted without JavaScript');
      const article = await createPost(page, user, text);
      await expect(visibleText(article, text)).toBeVisible();

      await reload(page);
      await expect(postBy(page, user, text)).toBeVisible();
      await expect(postBy(page, user, text)).toHaveCount(1);

      await logOut(page);
      await expect(profileLink(page, user.displayName)).toHaveCount(0);
      await expect(composer(page)).toHaveCount(0);

      await logIn(page, user);
      await expect(postBy(page, user, text)).toBeVisible();
    } finally {
      await context.close();
    }
  });

  test('edit and delete a post', async ({ browser }) => {
    const context = await newNoJsContext(browser);
    try {
      const page = await context.newPage();
      const user = makeUser();
      await signUp(page, user);

      const original = uniqueText('Soon to be changed, without JavaScript');
      const href = await permalinkOf(await createPost(page, user, original));
      const article = postWithLink(page, user, href);

      // The disclosures open without JavaScript (they are <details>).
      await article.getByText('Edit post', { exact: true }).click();
      const edited = uniqueText('Changed without JavaScript');
      await article.getByLabel('Edit post text').fill(edited);
      await article.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(visibleText(article, edited)).toBeVisible({ timeout: AUTH_TIMEOUT });
      await expect(visibleText(article, original)).toHaveCount(0);
      await expect(article.getByText('Edited')).toBeVisible();

      await article.getByText('Delete post', { exact: true }).click();
      await expect(article.getByText("Delete this post? This can't be undone.")).toBeVisible();
      await article.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(article).toHaveCount(0);
      await expect(composer(page)).toBeVisible();
      await reload(page);
      await expect(article).toHaveCount(0);
      await expect(postBy(page, user, edited)).toHaveCount(0);
    } finally {
      await context.close();
    }
  });

  test('a taken username shows the field error', async ({ browser }) => {
    const first = makeUser();
    const firstContext = await newNoJsContext(browser);
    try {
      await signUp(await firstContext.newPage(), first);
    } finally {
      await firstContext.close();
    }

    const context = await newNoJsContext(browser);
    try {
      const page = await context.newPage();
      const second = { ...makeUser(), username: first.username };
      await submitSignUp(page, second);
      const form = signUpRegion(page);
      await expect(form.getByRole('alert').filter({ hasText: 'That username is taken.' })).toBeVisible({
        timeout: AUTH_TIMEOUT,
      });
      await expect(form.getByLabel('Username', { exact: true })).toHaveAccessibleDescription(
        'That username is taken.',
      );
      await expect(profileLink(page, second.displayName)).toHaveCount(0);
      await expect(composer(page)).toHaveCount(0);
    } finally {
      await context.close();
    }
  });
});
