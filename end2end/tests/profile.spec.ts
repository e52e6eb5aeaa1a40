import { expect, test } from '@playwright/test';
import {
  AUTH_TIMEOUT,
  createPost,
  makeUser,
  open,
  postBy,
  profileLink,
  reload,
  signUp,
  submitTo,
  uniqueId,
  uniqueText,
  visibleText,
  waitForHydration,
} from './helpers';

test.describe('profiles', () => {
  test('the owner edits their name and bio', async ({ page }) => {
    const user = makeUser();
    await signUp(page, user);
    const text = uniqueText('A post for my profile');
    await createPost(page, user, text);

    await profileLink(page, user.displayName).click();
    await expect(page).toHaveURL(new RegExp(`/u/${user.username}$`));
    await waitForHydration(page);
    await expect(page.getByRole('heading', { level: 1, name: user.displayName, exact: true })).toBeVisible();
    await expect(page.getByText(`@${user.username}`, { exact: true })).toBeVisible();
    await expect(postBy(page, user, text)).toBeVisible();

    await page.getByText('Edit profile', { exact: true }).click();
    const nameField = page.getByLabel('Name', { exact: true });
    await expect(nameField).toBeVisible();
    await expect(nameField).toHaveValue(user.displayName);
    const newName = `${user.firstName} Renamed${uniqueId()}`;
    const bio = uniqueText('Gardener, grandparent, bad at crosswords.');
    await nameField.fill(newName);
    await page.getByLabel('Bio', { exact: true }).fill(bio);
    await submitTo(page, 'update_profile', () =>
      page.getByRole('button', { name: 'Save profile' }).click(),
    );

    await expect(page.getByRole('heading', { level: 1, name: newName, exact: true })).toBeVisible({
      timeout: AUTH_TIMEOUT,
    });
    await expect(visibleText(page, bio)).toBeVisible();
    // The top bar follows the new name.
    await expect(profileLink(page, newName)).toBeVisible();
    await expect(profileLink(page, user.displayName)).toHaveCount(0);

    // Stored, and the posts now carry the new name.
    await reload(page);
    await expect(page.getByRole('heading', { level: 1, name: newName, exact: true })).toBeVisible();
    await expect(visibleText(page, bio)).toBeVisible();
    await expect(profileLink(page, newName)).toBeVisible();
    await expect(postBy(page, newName, text)).toBeVisible();
  });

  test("another person's profile has no editor", async ({ page, browser }) => {
    test.slow(); // Two sign-ups.
    const owner = makeUser();
    const text = uniqueText('On my own profile');
    const ownerContext = await browser.newContext();
    try {
      const ownerPage = await ownerContext.newPage();
      await signUp(ownerPage, owner);
      // A public post: the visitor is a stranger, not a friend.
      await createPost(ownerPage, owner, text, { visibility: 'Public' });
    } finally {
      await ownerContext.close();
    }

    const visitor = makeUser();
    await signUp(page, visitor);
    await open(page, `/u/${owner.username}`);
    await expect(page.getByRole('heading', { level: 1, name: owner.displayName, exact: true })).toBeVisible();
    await expect(page.getByText(`@${owner.username}`, { exact: true })).toBeVisible();
    const post = postBy(page, owner, text);
    await expect(post).toBeVisible();
    await expect(page.getByText('Edit profile', { exact: true })).toHaveCount(0);
    await expect(page.getByLabel('Bio', { exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Save profile' })).toHaveCount(0);
    await expect(post.getByText('Edit post', { exact: true })).toHaveCount(0);
    await expect(post.getByText('Delete post', { exact: true })).toHaveCount(0);

    // The visitor's own profile does have it.
    await open(page, `/u/${visitor.username}`);
    await expect(page.getByRole('heading', { level: 1, name: visitor.displayName, exact: true })).toBeVisible();
    await expect(page.getByText('Edit profile', { exact: true })).toBeVisible();

    // An unknown username.
    await open(page, `/u/nobody_${uniqueId()}`);
    await expect(page.getByRole('heading', { name: "This page isn't available" })).toBeVisible();
  });
});
