import { expect, test } from '@playwright/test';
import {
  AUTH_TIMEOUT,
  composer,
  createPost,
  logIn,
  logInRegion,
  logOut,
  makeUser,
  open,
  postBy,
  profileLink,
  reload,
  signUp,
  signUpRegion,
  submitLogIn,
  submitSignUp,
  uniqueText,
  visibleText,
} from './helpers';

test.describe('signing up, posting, logging out and in', () => {
  test('a signed-out visitor sees the log-in and sign-up forms', async ({ page }) => {
    await open(page, '/');
    await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Hearth' })).toBeVisible();
    await expect(logInRegion(page).getByRole('heading', { name: 'Log in' })).toBeVisible();
    await expect(logInRegion(page).getByLabel('Username or email')).toBeVisible();
    await expect(logInRegion(page).getByRole('button', { name: 'Log in' })).toBeVisible();
    await expect(signUpRegion(page).getByRole('heading', { name: 'Create an account' })).toBeVisible();
    await expect(signUpRegion(page).getByRole('button', { name: 'Sign up' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log out' })).toHaveCount(0);
  });

  test('sign up, post, reload, log out', async ({ page }) => {
    const user = makeUser();
    await signUp(page, user);

    // The feed: composer and the top bar's profile link, no log-in form.
    await expect(composer(page).getByLabel("What's on your mind?")).toBeVisible();
    await expect(composer(page).getByRole('button', { name: 'Post', exact: true })).toBeVisible();
    await expect(profileLink(page, user.displayName)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Hearth', exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
    await expect(logInRegion(page)).toHaveCount(0);

    const text = uniqueText('My first post on Hearth');
    const article = await createPost(page, user, text);
    await expect(visibleText(article, text)).toBeVisible();
    await expect(article.getByRole('link', { name: user.displayName, exact: true })).toBeVisible();
    // The composer is ready for the next post.
    await expect(composer(page).getByLabel("What's on your mind?")).toHaveValue('');

    await reload(page);
    await expect(postBy(page, user, text)).toBeVisible();
    await expect(postBy(page, user, text)).toHaveCount(1);
    await expect(profileLink(page, user.displayName)).toBeVisible();

    await logOut(page);
    await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Hearth' })).toBeVisible();
    await expect(profileLink(page, user.displayName)).toHaveCount(0);
    await expect(composer(page)).toHaveCount(0);

    // Still signed out after a reload: the session is really gone.
    await reload(page);
    await expect(page.getByRole('heading', { name: 'Log in', exact: true })).toBeVisible();
    await expect(profileLink(page, user.displayName)).toHaveCount(0);
  });

  test('a taken username is refused next to the Username field', async ({ page, browser }) => {
    const first = makeUser();
    const firstContext = await browser.newContext();
    try {
      await signUp(await firstContext.newPage(), first);
    } finally {
      await firstContext.close();
    }

    const second = { ...makeUser(), username: first.username };
    await submitSignUp(page, second);
    const form = signUpRegion(page);
    await expect(form.getByRole('alert').filter({ hasText: 'That username is taken.' })).toBeVisible({
      timeout: AUTH_TIMEOUT,
    });
    // The message belongs to the Username field, not to another one.
    const username = form.getByLabel('Username', { exact: true });
    await expect(username).toHaveAccessibleDescription('That username is taken.');
    await expect(username).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByLabel('Email', { exact: true })).not.toHaveAccessibleDescription(
      'That username is taken.',
    );
    // The password rule describes the Password field, as a screen reader reads it.
    await expect(form.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(
      'At least 10 characters, and not your username.',
    );
    // Not signed in.
    await expect(profileLink(page, second.displayName)).toHaveCount(0);
    await expect(composer(page)).toHaveCount(0);

    // Usernames are unique regardless of case.
    const third = { ...makeUser(), username: first.username.toUpperCase() };
    await submitSignUp(page, third);
    await expect(
      signUpRegion(page).getByRole('alert').filter({ hasText: 'That username is taken.' }),
    ).toBeVisible({ timeout: AUTH_TIMEOUT });
    await expect(profileLink(page, third.displayName)).toHaveCount(0);
  });

  test('three wrong passwords lock the account', async ({ page }) => {
    test.slow(); // Four password checks, each an Argon2 hash on the server.
    const user = makeUser();
    await signUp(page, user);
    await logOut(page);

    const form = logInRegion(page);
    const incorrect = form.getByRole('alert').filter({ hasText: 'Incorrect username, email or password.' });
    const tooMany = form.getByRole('alert').filter({ hasText: 'Too many attempts. Try again in 5 minutes.' });

    await submitLogIn(page, user.username, 'wrong-password-1');
    await expect(incorrect).toBeVisible({ timeout: AUTH_TIMEOUT });
    await expect(tooMany).toHaveCount(0);

    await submitLogIn(page, user.username, 'wrong-password-2');
    await expect(incorrect).toBeVisible({ timeout: AUTH_TIMEOUT });
    await expect(tooMany).toHaveCount(0);

    await submitLogIn(page, user.username, 'wrong-password-3');
    await expect(tooMany).toBeVisible({ timeout: AUTH_TIMEOUT });
    await expect(profileLink(page, user.displayName)).toHaveCount(0);

    // While locked, even the right password is refused.
    await submitLogIn(page, user.username, user.password);
    await expect(tooMany).toBeVisible({ timeout: AUTH_TIMEOUT });
    await reload(page);
    await expect(page.getByRole('heading', { name: 'Log in', exact: true })).toBeVisible();
    await expect(profileLink(page, user.displayName)).toHaveCount(0);
    await expect(composer(page)).toHaveCount(0);
  });

  test('log in with the username in a different case', async ({ page }) => {
    const user = makeUser();
    await signUp(page, user);
    await logOut(page);

    const shouted = user.username.toUpperCase();
    expect(shouted).not.toBe(user.username);
    await logIn(page, user, shouted);
    await expect(composer(page)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();

    // The session survives a reload.
    await reload(page);
    await expect(profileLink(page, user.displayName)).toBeVisible();
  });
});
