import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import {
  AUTH_TIMEOUT,
  befriend,
  createPost,
  logIn,
  logInRegion,
  logOut,
  makeUser,
  open,
  profileLink,
  signUp,
  submitLogIn,
  uniqueText,
  waitForHydration,
  waitForLive,
} from './helpers';
import { linkIn, totp, totpStep, waitForMail } from './mail';

/** Issue F in the browser: mail, confirmation, reset, two-factor, sessions, leaving. */

test('signing up mails a confirmation link; following it makes the banner go', async ({ page }) => {
  const user = makeUser();
  await signUp(page, user);
  const banner = page.getByRole('region', { name: 'Confirm your email' });
  await expect(banner).toContainText(user.email);
  await expect(banner.getByRole('button', { name: 'Resend' })).toBeVisible();

  const mail = await waitForMail(user.email, 'Confirm your email');
  expect(mail.html).toContain('Confirm my email');
  await open(page, linkIn(mail, '/confirm-email'));
  await expect(page.getByText('Your email address is confirmed.')).toBeVisible();
  await open(page, '/');
  await expect(profileLink(page, user.displayName)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Confirm your email' })).toHaveCount(0);
});

test('forgot password: from the log-in form to a new password', async ({ page }) => {
  const user = makeUser();
  await signUp(page, user);
  await logOut(page);

  await logInRegion(page).getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account matches, we sent a link');

  const mail = await waitForMail(user.email, 'Reset your Hearth password');
  await open(page, linkIn(mail, '/reset-password'));
  const newPassword = `New-Passphrase-${Date.now()}`;
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password was changed', { timeout: AUTH_TIMEOUT });
  await waitForMail(user.email, 'password was changed');

  // The old password no longer works; the new one does.
  await open(page, '/');
  await submitLogIn(page, user.username, user.password);
  await expect(logInRegion(page).getByRole('alert')).toContainText('Incorrect', { timeout: AUTH_TIMEOUT });
  await logIn(page, { ...user, password: newPassword });
});

test('two-factor: enrol with the key from the page, then log in with a code', async ({ page }) => {
  test.setTimeout(120_000);
  const user = makeUser();
  await signUp(page, user);
  await open(page, '/settings/security');
  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await section.getByRole('button', { name: 'Set up' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible({
    timeout: AUTH_TIMEOUT,
  });
  const key = ((await section.locator('code').first().textContent()) ?? '').trim();
  expect(key).toMatch(/^[A-Z2-7 ]{16,}$/);
  const enrolStep = totpStep();
  await section.getByLabel('Code from the app').fill(totp(key, enrolStep));
  await section.getByRole('button', { name: 'Turn on' }).click();
  await expect(section.getByRole('heading', { name: 'Recovery codes' })).toBeVisible({ timeout: AUTH_TIMEOUT });
  await expect(section.getByRole('listitem')).toHaveCount(10);

  await logOut(page);
  await submitLogIn(page, user.username, user.password);
  const codeField = page.getByLabel('Authentication code');
  await expect(codeField).toBeVisible({ timeout: AUTH_TIMEOUT });
  // A code can't be used twice: wait for the next 30-second step.
  while (totpStep() === enrolStep) await page.waitForTimeout(500);
  await codeField.fill(totp(key));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(profileLink(page, user.displayName)).toBeVisible({ timeout: AUTH_TIMEOUT });
});

test('ending a session from a second browser signs the first out', async ({ page, browser }) => {
  const user = makeUser();
  await signUp(page, user);
  await waitForLive(page);

  const other = await browser.newContext();
  const pageB = await other.newPage();
  await logIn(pageB, user);
  await open(pageB, '/settings/sessions');
  await expect(pageB.getByRole('heading', { name: "Where you're logged in" })).toBeVisible();
  const ends = pageB.getByRole('button', { name: /^End session/ });
  await expect(ends).toHaveCount(1);
  await expect(pageB.getByText('This device')).toBeVisible();
  await ends.click();
  await expect(ends).toHaveCount(0, { timeout: AUTH_TIMEOUT });

  // The first browser hears it at once, without a reload.
  await expect(logInRegion(page).getByRole('heading', { name: 'Log in' })).toBeVisible({ timeout: 10_000 });
  await other.close();
});

test("deleting an account: the profile is gone, a friend's chat shows “Deleted account”", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const leaver = makeUser();
  const friend = makeUser();
  const friendContext = await browser.newContext();
  const pageB = await friendContext.newPage();
  await signUp(page, leaver);
  await signUp(pageB, friend);
  await befriend(page, leaver, pageB, friend);

  // The leaver messages the friend.
  const text = uniqueText('Goodbye for now');
  await open(page, `/u/${friend.username}`);
  await page.getByRole('button', { name: 'Message', exact: true }).click();
  await expect(page).toHaveURL(/\/messages\/\d+$/);
  const conversation = new URL(page.url()).pathname;
  await waitForHydration(page);
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Messages' }).getByText(text)).toBeVisible();

  await open(page, '/settings/account');
  await expect(page.getByText('Deleted account').first()).toBeVisible();
  page.on('dialog', (d) => void d.accept());
  await page.getByLabel('Password', { exact: true }).fill(leaver.password);
  const understand = page.getByLabel("I understand this can't be undone");
  if (await understand.count()) await understand.check();
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(logInRegion(page).getByRole('heading', { name: 'Log in' })).toBeVisible({ timeout: AUTH_TIMEOUT });

  await open(pageB, `/u/${leaver.username}`);
  await expect(pageB.getByRole('heading', { name: "This page isn't available" })).toBeVisible();
  await open(pageB, conversation);
  const message = pageB.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });
  await expect(message).toBeVisible();
  await expect(message).toContainText('Deleted account');
  await friendContext.close();
});

test('download your data: the export holds my post', async ({ page }) => {
  test.setTimeout(90_000);
  const user = makeUser();
  await signUp(page, user);
  const text = uniqueText('Exported words');
  await createPost(page, user, text);

  await open(page, '/settings/account');
  await page.getByRole('button', { name: 'Request a download' }).click();
  const link = page.getByRole('link', { name: /^Download your data/ });
  for (let i = 0; i < 30 && !(await link.count()); i++) {
    await page.waitForTimeout(1000);
    await open(page, '/settings/account');
  }
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = test.info().outputPath('export.zip');
  await download.saveAs(file);
  const posts = execFileSync('/usr/bin/python3', [
    '-c',
    'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("posts.json").decode())',
    file,
  ]).toString();
  expect(posts).toContain(text);
});
