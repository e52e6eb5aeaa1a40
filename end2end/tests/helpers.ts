import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';

/**
 * Helpers shared by the specs: unique users, the sign-up / log-in / log-out
 * flows, readiness waits and post lookups. Everything is found the way a
 * person finds it: by role, label and text.
 */

/** Server-side work that hashes a password (Argon2, slow in debug builds). */
export const AUTH_TIMEOUT = 20_000;
/** Loading the WASM bundle and hydrating on a busy 2-core machine. */
export const HYDRATION_TIMEOUT = 20_000;
/** Opening the live WebSocket after hydration. */
export const LIVE_TIMEOUT = 15_000;

export interface User {
  firstName: string;
  lastName: string;
  /** "First Last": what the app shows as the display name. */
  displayName: string;
  username: string;
  email: string;
  password: string;
}

let counter = 0;

/** A short token unique to this run (and this call). */
export function uniqueId(): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 6);
  return `${Date.now().toString(36)}${random}${counter.toString(36)}`;
}

/** A text unique to this run, for posts and bios. */
export function uniqueText(prefix: string): string {
  return `${prefix} ${uniqueId()}`;
}

const FIRST_NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Elif', 'Femi', 'Gus', 'Hana'];

/**
 * A user nobody has signed up yet: username of 3–30 letters/digits/underscores,
 * a unique email, a password of 10+ characters that does not contain the
 * username, and a display name unique enough to find the user's posts by.
 */
export function makeUser(): User {
  const id = uniqueId();
  const username = `u${id}`.slice(0, 30);
  const firstName = FIRST_NAMES[Math.floor(Math.random() * FIRST_NAMES.length)] ?? 'Ana';
  const lastName = `Tester${id}`;
  const password = `Correct-Horse-${Math.random().toString(36).slice(2, 10)}!`;
  return {
    firstName,
    lastName,
    displayName: `${firstName} ${lastName}`,
    username,
    email: `${username}@example.test`,
    password,
  };
}

// ---------------------------------------------------------------------------
// JavaScript on or off

const noJsContexts = new WeakSet<BrowserContext>();

/** A browser context with JavaScript disabled: plain HTML forms and redirects. */
export async function newNoJsContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  noJsContexts.add(context);
  return context;
}

/** Whether the page runs JavaScript (false for pages of {@link newNoJsContext}). */
export function hasJs(page: Page): boolean {
  return !noJsContexts.has(page.context());
}

// ---------------------------------------------------------------------------
// Readiness

/** Waits until the app has hydrated (`<body data-hydrated="true">`); no-op without JS. */
export async function waitForHydration(page: Page): Promise<void> {
  if (!hasJs(page)) return;
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', {
    timeout: HYDRATION_TIMEOUT,
  });
}

/** Waits until the live WebSocket is open (`<body data-live="connected">`). */
export async function waitForLive(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-live', 'connected', {
    timeout: LIVE_TIMEOUT,
  });
}

/** Goes to `path` and waits for hydration (when JavaScript is on). */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitForHydration(page);
}

/** Reloads and waits for hydration (when JavaScript is on). */
export async function reload(page: Page): Promise<void> {
  await page.reload();
  await waitForHydration(page);
}

/**
 * Runs `act` (a click that submits a form to server function `fnName`) and
 * waits until the server has answered: with JavaScript, for the server
 * function's response; without it, for the page the redirect leads to.
 */
export async function submitTo(page: Page, fnName: string, act: () => Promise<void>): Promise<void> {
  if (!hasJs(page)) {
    await act();
    await page.waitForLoadState('load');
    return;
  }
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.includes(fnName),
    { timeout: AUTH_TIMEOUT },
  );
  await act();
  await answered;
}

// ---------------------------------------------------------------------------
// Landmarks

export function logInRegion(page: Page): Locator {
  return page.getByRole('region', { name: 'Log in' });
}

export function signUpRegion(page: Page): Locator {
  return page.getByRole('region', { name: 'Create an account' });
}

export function composer(page: Page): Locator {
  return page.getByRole('region', { name: 'Create a post' });
}

/** The top bar's link to the signed-in user's profile. */
export function profileLink(page: Page, displayName: string): Locator {
  return page.getByRole('link', { name: `Your profile (${displayName})`, exact: true });
}

/** Elements with exactly `text` that a person can see (skips closed disclosures' contents). */
export function visibleText(scope: Page | Locator, text: string | RegExp): Locator {
  const found = typeof text === 'string' ? scope.getByText(text, { exact: true }) : scope.getByText(text);
  return found.filter({ visible: true });
}

// ---------------------------------------------------------------------------
// Auth flows

/** Fills in and submits the sign-up form on `/` (the caller checks the outcome). */
export async function submitSignUp(page: Page, user: User): Promise<void> {
  await open(page, '/');
  const form = signUpRegion(page);
  await form.getByLabel('First name', { exact: true }).fill(user.firstName);
  await form.getByLabel('Last name', { exact: true }).fill(user.lastName);
  await form.getByLabel('Username', { exact: true }).fill(user.username);
  await form.getByLabel('Email', { exact: true }).fill(user.email);
  await form.getByLabel('Password', { exact: true }).fill(user.password);
  await form.getByLabel('Confirm password', { exact: true }).fill(user.password);
  await submitTo(page, 'sign_up', () => form.getByRole('button', { name: 'Sign up' }).click());
}

/** Signs `user` up and checks that they land signed in on their feed. */
export async function signUp(page: Page, user: User): Promise<void> {
  await submitSignUp(page, user);
  await expect(profileLink(page, user.displayName)).toBeVisible({ timeout: AUTH_TIMEOUT });
  await expect(composer(page)).toBeVisible();
}

/** Fills in and submits the log-in form on `/` (the caller checks the outcome). */
export async function submitLogIn(page: Page, login: string, password: string): Promise<void> {
  const form = logInRegion(page);
  if (!(await form.isVisible())) {
    await open(page, '/');
  }
  await form.getByLabel('Username or email', { exact: true }).fill(login);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await submitTo(page, 'log_in', () => form.getByRole('button', { name: 'Log in', exact: true }).click());
}

/** Logs `user` in (with `login`, their username by default) and checks they reach the feed. */
export async function logIn(page: Page, user: User, login: string = user.username): Promise<void> {
  await open(page, '/');
  await submitLogIn(page, login, user.password);
  await expect(profileLink(page, user.displayName)).toBeVisible({ timeout: AUTH_TIMEOUT });
}

/** Clicks "Log out" and checks that the log-in form is back. */
export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in', exact: true })).toBeVisible({
    timeout: AUTH_TIMEOUT,
  });
  await waitForHydration(page);
}

// ---------------------------------------------------------------------------
// Posts

/** The visible post by `author` whose text contains `text`. */
export function postBy(page: Page, author: User | string, text: string): Locator {
  const name = typeof author === 'string' ? author : author.displayName;
  return page.getByRole('article', { name: `Post by ${name}`, exact: true }).filter({ hasText: text });
}

/** The visible post by `author` whose permalink is `href` (stable across edits). */
export function postWithLink(page: Page, author: User, href: string): Locator {
  return page
    .getByRole('article', { name: `Post by ${author.displayName}`, exact: true })
    .filter({ has: page.locator(`a[href="${href}"]`) });
}

/**
 * Posts `text` from the composer on the current feed and returns its
 * article, found by `find` (a part of the text; the whole text by default).
 */
export async function createPost(page: Page, author: User, text: string, find: string = text): Promise<Locator> {
  const box = composer(page);
  await box.getByLabel("What's on your mind?").fill(text);
  await submitTo(page, 'create_post', () => box.getByRole('button', { name: 'Post', exact: true }).click());
  const article = postBy(page, author, find);
  await expect(article).toBeVisible();
  return article;
}

/** The permalink (`/p/{id}`) of a post, from its time link. */
export async function permalinkOf(article: Locator): Promise<string> {
  const timeLink = article.getByRole('link', { name: /^(just now|\d+ min ago)$/ });
  await expect(timeLink).toBeVisible();
  const href = await timeLink.getAttribute('href');
  expect(href).toMatch(/^\/p\/\d+$/);
  return href ?? '';
}
