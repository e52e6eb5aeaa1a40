import { expect, test as base, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';

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
 * `firstName` replaces the (common) random first name, e.g. to search for it.
 */
export function makeUser(options: { firstName?: string } = {}): User {
  const id = uniqueId();
  const username = `u${id}`.slice(0, 30);
  const firstName =
    options.firstName ?? FIRST_NAMES[Math.floor(Math.random() * FIRST_NAMES.length)] ?? 'Ana';
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
  return page.getByRole('link', { name: `${displayName} (your profile)`, exact: true });
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

/** A post's audience, as "Who can see this?" names it. */
export type Visibility = 'Public' | 'Friends' | 'Only me';

export interface PostOptions {
  /** A part of the text to find the new post by (the whole text by default). */
  find?: string;
  /** Chosen in "Who can see this?"; left at the default (Friends) when unset. */
  visibility?: Visibility;
}

/**
 * Posts `text` from the composer on the current feed and returns its
 * article, found by `find` (a part of the text; the whole text by default).
 * `options` may also be just `find`.
 */
export async function createPost(
  page: Page,
  author: User,
  text: string,
  options: string | PostOptions = {},
): Promise<Locator> {
  const { find = text, visibility } = typeof options === 'string' ? { find: options } : options;
  const box = composer(page);
  await box.getByLabel("What's on your mind?").fill(text);
  if (visibility !== undefined) {
    await box.getByLabel('Who can see this?').selectOption({ label: visibility });
  }
  await submitTo(page, 'create_post', () => box.getByRole('button', { name: 'Post', exact: true }).click());
  const article = postBy(page, author, find);
  await expect(article).toBeVisible();
  await expect(article.getByRole('img', { name: `Visible to: ${visibility ?? 'Friends'}` })).toBeVisible();
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

// ---------------------------------------------------------------------------
// Friends

/** The `<h1>` of the profile of `user`, shown once their profile has loaded. */
export function profileHeading(page: Page, user: User): Locator {
  return page.getByRole('heading', { level: 1, name: user.displayName, exact: true });
}

/** Opens the profile of `user` and waits until it has loaded. */
export async function openProfile(page: Page, user: User): Promise<void> {
  await open(page, `/u/${user.username}`);
  await expect(profileHeading(page, user)).toBeVisible();
}

/** One of the sections of `/friends` ("Friend requests", "Your friends"...). */
export function friendsSection(page: Page, heading: string): Locator {
  return page.getByRole('region', { name: heading, exact: true });
}

/** The entry for `person` in a list of people (a `/friends` section, search results...). */
export function personItem(scope: Page | Locator, person: User): Locator {
  // `has` is matched inside each list item, so it must start from the page.
  const page = 'page' in scope ? scope.page() : scope;
  return scope
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: person.displayName, exact: true }) });
}

/** On the profile of someone else: "Add friend", which turns into "Cancel request". */
export async function sendFriendRequest(page: Page, to: User): Promise<void> {
  await openProfile(page, to);
  await submitTo(page, 'send_friend_request', () =>
    page.getByRole('button', { name: 'Add friend', exact: true }).click(),
  );
  await expect(page.getByRole('button', { name: 'Cancel request', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add friend', exact: true })).toHaveCount(0);
}

/** In `/friends`: "Accept" on the request of `from`, who then is among "Your friends". */
export async function acceptFriendRequest(page: Page, from: User): Promise<void> {
  await open(page, '/friends');
  const request = personItem(friendsSection(page, 'Friend requests'), from);
  await expect(request).toBeVisible();
  await submitTo(page, 'accept_friend_request', () =>
    request.getByRole('button', { name: 'Accept', exact: true }).click(),
  );
  await expect(personItem(friendsSection(page, 'Your friends'), from)).toBeVisible();
  await expect(request).toHaveCount(0);
}

/**
 * Makes `a` and `b` friends through the UI: A sends a request from B's
 * profile, B accepts it in `/friends`. Friends follow each other, so each
 * then sees the other's posts in the feed. Leaves A on B's profile and B on
 * `/friends`.
 */
export async function befriend(pageA: Page, a: User, pageB: Page, b: User): Promise<void> {
  await sendFriendRequest(pageA, b);
  await acceptFriendRequest(pageB, a);
}

/**
 * Playwright's `test` with `pageB`: a second person's page in a browser
 * context of its own (closed after the test).
 */
export const testWithSecondPage = base.extend<{ pageB: Page }>({
  pageB: async ({ browser }, use) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await use(page);
    await context.close().catch(() => {});
  },
});

// ---------------------------------------------------------------------------
// Chat and the top bar

/** The top bar's "Messages" link, whose name carries the unread count. */
export function messagesLink(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ });
}

/** The top bar's "Notifications" link (the bell), whose name carries the unread count. */
export function bellLink(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Notifications/ });
}

/** The message list of the open conversation. */
export function messageList(page: Page): Locator {
  return page.getByRole('list', { name: 'Messages' });
}

/** From the profile of friend `other`, "Message" opens our conversation (and its live socket). */
export async function openChatWith(page: Page, other: User): Promise<void> {
  await openProfile(page, other);
  await page.getByRole('button', { name: 'Message', exact: true }).click();
  // The URL first: the profile's own heading has the same name.
  await expect(page).toHaveURL(/\/messages\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: other.displayName })).toBeVisible();
  await waitForLive(page);
}

/** Sends `text` in the open conversation and waits for the server's answer. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await submitTo(page, 'send_message', () => page.getByRole('button', { name: 'Send', exact: true }).click());
}
