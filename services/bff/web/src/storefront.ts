import type { CartLines, Favorites, PageProduct, ProductsPage, SignedInUser } from './api-types.js'
import { ApiError, api, h, required } from './api.js'
import { describeDegraded } from './degraded-notice.js'
import { groupThousands } from './format.js'
import { type DegradedReasons, ProductList } from './product-list.js'

/** At or below this many units a product is "low in stock". */
const LOW_STOCK = 10
/** Pauses between automatic retries of a failed page, in ms; the last repeats. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000]
/** Products asked for at first, and by each "Load more". */
const PAGE_SIZE = 48
/** The most products one request to the BFF may ask for (its `limit`). */
const MAX_LIMIT = 1000
/** The readable cookie the BFF sets beside the HttpOnly session cookie, and clears with it. */
const SIGNED_IN_HINT = 'signed_in'

/** What the page knows besides the products shown: the signed-in user and their lists. */
interface State {
  userId: number | undefined
  /** The `degraded_reasons` of the last answer taken: where the cart and favorites counts come from. */
  lastReasons: DegradedReasons
  /** Product ids in the cart, when known (signed in and cart answered). */
  cart: Set<number> | undefined
  /** Product ids marked as favorites, when known. */
  favorites: Set<number> | undefined
  cartCount: number | null
  favoritesCount: number | null
}

const state: State = { userId: undefined, lastReasons: {}, cart: undefined, favorites: undefined, cartCount: null, favoritesCount: null }

/** The products shown: the pages loaded so far, each refreshed in place. */
const list = new ProductList<PageProduct>()

const elements = {
  grid: required('#product-grid', HTMLUListElement),
  loading: required('#loading', HTMLElement),
  banner: required('#degraded-banner', HTMLElement),
  error: required('#page-error', HTMLElement),
  errorDetail: required('#page-error-detail', HTMLElement),
  retryNote: required('#page-error-retry-note', HTMLElement),
  retry: required('#retry', HTMLButtonElement),
  products: required('#products', HTMLElement),
  shownCount: required('#shown-count', HTMLElement),
  loadMore: required('#load-more', HTMLButtonElement),
  signIn: required('#sign-in', HTMLFormElement),
  signInButton: required('#sign-in button[type="submit"]', HTMLButtonElement),
  userSelect: required('#user-select', HTMLSelectElement),
  signedIn: required('#signed-in', HTMLElement),
  signedInAs: required('#signed-in-as', HTMLElement),
  signOut: required('#sign-out', HTMLButtonElement),
  cartCount: required('#cart-counter [data-count]', HTMLElement),
  favoritesCount: required('#favorites-counter [data-count]', HTMLElement),
  toast: required('#toast', HTMLElement),
}

let retryTimer: number | undefined
let retryAttempt = 0
let toastTimer: number | undefined
/** Cart and favorites writes not answered yet: a refresh waits for the last, so it cannot undo one. */
let pendingWrites = 0
/** The cards drawn, by product id: updated in place, so a focused button stays where it is. */
const cards = new Map<number, ProductCard>()

/** Loads who is signed in, then the page. */
async function start(): Promise<void> {
  elements.signIn.addEventListener('submit', (event) => {
    event.preventDefault()
    void signIn(Number(elements.userSelect.value))
  })
  elements.signOut.addEventListener('click', () => {
    void signOut()
  })
  elements.retry.addEventListener('click', () => {
    if (!isBusy(elements.retry)) {
      retryAttempt = 0
      void loadPage()
    }
  })
  elements.loadMore.addEventListener('click', () => {
    void loadMore()
  })
  await loadUser()
  await loadPage()
}

/**
 * Asks who is signed in, but only when the BFF's `signed_in` hint cookie says a session was set:
 * the session cookie itself is HttpOnly, and asking on an anonymous visit would answer 401, which
 * the browser logs as an error although nothing is wrong.
 */
async function loadUser(): Promise<void> {
  state.userId = undefined
  if (hasSignedInHint()) {
    try {
      state.userId = (await api<SignedInUser>('GET', '/auth/me')).user_id
    } catch (error) {
      // 401: the session ended (expired, signed out elsewhere); forget the hint so the next visit
      // does not ask again. Anything else: shown as anonymous; the page itself reports outages.
      if (error instanceof ApiError && error.status === 401) {
        document.cookie = `${SIGNED_IN_HINT}=; Path=/; Max-Age=0; SameSite=Lax`
      }
    }
  }
  renderAccount()
}

function hasSignedInHint(): boolean {
  return document.cookie.split(';').some((cookie) => cookie.trim() === `${SIGNED_IN_HINT}=1`)
}

/**
 * Fetches the products shown (the first page on the first visit) and the user's lists; on
 * 502/503/504 or a network failure shows the error with a retry, and retries with backoff.
 */
async function loadPage(): Promise<void> {
  window.clearTimeout(retryTimer)
  setBusy(elements.retry, true)
  try {
    const [answers, lists] = await Promise.all([readShown(), loadLists()])
    retryAttempt = 0
    accept(answers, lists)
    const focusInError = elements.error.contains(document.activeElement)
    elements.error.hidden = true
    render()
    // The retry button is gone with its message: the products it brought back are the next thing to read.
    if (focusInError) {
      elements.products.focus()
    }
  } catch (error) {
    showPageError(error)
  } finally {
    setBusy(elements.retry, false)
    elements.loading.hidden = true
  }
}

/** An answer of the paged catalogue, with the id it was asked to start after. */
interface Answer {
  readonly after: number
  readonly page: ProductsPage
}

/** `GET /products/all?limit=N&after=ID`: at most `limit` products after `after` (0: from the start). */
function fetchProducts(limit: number, after: number): Promise<ProductsPage> {
  return api<ProductsPage>('GET', after === 0 ? `/products/all?limit=${limit}` : `/products/all?limit=${limit}&after=${after}`)
}

/**
 * Reads again every product shown, or the first page when none is, so that the pages loaded stay
 * loaded: one request while they fit in the BFF's limit, each next one starting where the one
 * before ended. Only what is shown is asked for, however large the catalogue.
 */
async function readShown(): Promise<Answer[]> {
  const through = list.coveredThrough
  const answers: Answer[] = []
  let after: number | null = 0
  do {
    const limit = Math.min(Math.max(list.countBetween(after, through), PAGE_SIZE), MAX_LIMIT)
    const page = await fetchProducts(limit, after)
    answers.push({ after, page })
    after = page.next_after ?? null
  } while (after !== null && after < through)
  return answers
}

/**
 * Shows the next page of products below those shown. The button is busy meanwhile. When it had
 * focus, focus moves to the first new product, where reading goes on (the button has moved below
 * the new cards, or gone with the last page).
 */
async function loadMore(): Promise<void> {
  const after = list.nextAfter
  if (after === null || isBusy(elements.loadMore)) {
    return
  }
  setBusy(elements.loadMore, true)
  elements.loadMore.setAttribute('aria-busy', 'true')
  try {
    const page = await fetchProducts(PAGE_SIZE, after)
    list.accept(after, page.products, page.next_after ?? null, page.degraded_reasons)
    // A write waiting for its answer shows counts of its own making, which this answer may predate.
    if (pendingWrites === 0) {
      acceptCounts(page)
    }
    const focusOnButton = document.activeElement === elements.loadMore
    render()
    if (focusOnButton) {
      const first = page.products[0]
      const card = first === undefined ? undefined : cards.get(first.product_id)
      if (card === undefined) {
        elements.products.focus()
      } else {
        card.focus()
      }
    }
  } catch (error) {
    showToast(`Could not load more products. ${describeFailure(error)}`)
  } finally {
    setBusy(elements.loadMore, false)
    elements.loadMore.removeAttribute('aria-busy')
  }
}

/** The signed-in user's cart and favorites: product ids, or `undefined` where unknown. */
interface Lists {
  readonly cart: Set<number> | undefined
  readonly favorites: Set<number> | undefined
}

/** The signed-in user's cart and favorites, so each card can show its own state. Optional: failures leave them unknown. */
async function loadLists(): Promise<Lists> {
  if (state.userId === undefined) {
    return { cart: undefined, favorites: undefined }
  }
  const [cart, favorites] = await Promise.allSettled([
    api<CartLines>('GET', '/cart'),
    api<Favorites>('GET', '/favorites'),
  ])
  return {
    cart: cart.status === 'fulfilled' ? new Set(cart.value.map((line) => line.product_id)) : undefined,
    favorites: favorites.status === 'fulfilled' ? new Set(favorites.value.map((item) => item.product_id)) : undefined,
  }
}

/** Keeps the answers and lists that arrived together; the counts are the last answer's. */
function accept(answers: readonly Answer[], lists: Lists): void {
  for (const { after, page } of answers) {
    list.accept(after, page.products, page.next_after ?? null, page.degraded_reasons)
  }
  const last = answers.at(-1)
  if (last !== undefined) {
    acceptCounts(last.page)
  }
  state.cart = lists.cart
  state.favorites = lists.favorites
}

/** Takes the user's counts from an answer, and what it said about the cart and favorites. */
function acceptCounts(page: ProductsPage): void {
  state.cartCount = page.cart_items
  state.favoritesCount = page.favorite_items
  state.lastReasons = page.degraded_reasons
}

function showPageError(error: unknown): void {
  const delayMs = error instanceof ApiError && error.retryAfterS !== undefined
    ? Math.max(error.retryAfterS * 1000, RETRY_DELAYS_MS[0]!)
    : RETRY_DELAYS_MS[Math.min(retryAttempt, RETRY_DELAYS_MS.length - 1)]!
  retryAttempt++
  elements.errorDetail.textContent = describeFailure(error)
  elements.retryNote.textContent = `Trying again in ${Math.round(delayMs / 1000)} s.`
  elements.error.hidden = false
  // The last products shown stay on screen (marked stale by the message): better than a blank page.
  retryTimer = window.setTimeout(() => {
    void loadPage()
  }, delayMs)
}

function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 504:
        return 'The catalogue took too long to answer.'
      case 503:
        return 'The catalogue is temporarily unavailable.'
      case 502:
        return 'The catalogue failed to answer.'
      case 429:
        return 'Too many requests: slowing down.'
      default:
        return error.message
    }
  }
  return 'The connection to the shop failed.'
}

function render(): void {
  renderCounters()
  if (!list.started) {
    return
  }
  const notice = describeDegraded(degradedParts())
  elements.banner.hidden = notice === ''
  // The banner is a live region: the same words written again could be read out again.
  if (elements.banner.textContent !== notice) {
    elements.banner.textContent = notice
  }
  renderGrid(list.products())
  renderPaging()
}

/**
 * What is degraded, with each reason given: the cart and favorites as the last answer said, the
 * catalogue and stock as said by every answer behind the products shown (a page loaded earlier
 * may have come without stock, or from memory).
 */
function degradedParts(): Map<string, Set<string>> {
  const parts = new Map<string, Set<string>>()
  for (const part of ['cart', 'favorites']) {
    const reason = state.lastReasons[part]
    if (reason !== undefined) {
      parts.set(part, new Set([reason]))
    }
  }
  for (const part of ['inventory', 'products']) {
    const reasons = list.reasonsFor(part)
    if (reasons.size > 0) {
      parts.set(part, reasons)
    }
  }
  return parts
}

/** Says how many products are shown, and offers "Load more" until the last page is in. */
function renderPaging(): void {
  const shown = list.size
  const words = !list.complete ? `Showing ${shown} products.` : shown === 0 ? 'No products to show.' : `Showing all ${shown} products.`
  if (elements.shownCount.textContent !== words) {
    elements.shownCount.textContent = words
  }
  elements.loadMore.hidden = list.nextAfter === null
}

/**
 * Draws the products, reusing each product's card: a button that has focus keeps it, so a keyboard
 * user is not sent back to the top when the list is drawn again. A page loaded below is appended;
 * cards are moved only when the order changed. If that (or a product leaving) takes the focused
 * control away, focus goes to the same control of the same product, or to the products section
 * when that product is gone.
 */
function renderGrid(products: readonly PageProduct[]): void {
  const active = document.activeElement
  const focusKey = active instanceof HTMLElement && elements.grid.contains(active) ? active.dataset.focusKey : undefined
  const seen = new Set<number>()
  const items = products.map((product) => {
    seen.add(product.product_id)
    let card = cards.get(product.product_id)
    if (card === undefined) {
      card = createCard(product)
      cards.set(product.product_id, card)
    }
    card.update(product)
    return card.root
  })
  for (const id of cards.keys()) {
    if (!seen.has(id)) {
      cards.delete(id)
    }
  }
  const current = elements.grid.children
  const kept = current.length <= items.length && items.every((item, index) => index >= current.length || current[index] === item)
  if (!kept) {
    elements.grid.replaceChildren(fragmentOf(items))
  } else if (current.length < items.length) {
    // A page loaded below the others: the cards shown stay where they are.
    elements.grid.append(fragmentOf(items.slice(current.length)))
  }
  if (focusKey !== undefined && !elements.grid.contains(document.activeElement)) {
    const twin = elements.grid.querySelector<HTMLElement>(`[data-focus-key="${focusKey}"]`)
    ;(twin ?? elements.products).focus({ preventScroll: true })
  }
}

/** The nodes in one fragment: a spread of thousands of arguments could overflow the stack. */
function fragmentOf(nodes: readonly Node[]): DocumentFragment {
  const fragment = document.createDocumentFragment()
  for (const node of nodes) {
    fragment.append(node)
  }
  return fragment
}

function renderCounters(): void {
  elements.cartCount.textContent = state.cartCount === null ? '–' : String(state.cartCount)
  elements.favoritesCount.textContent = state.favoritesCount === null ? '–' : String(state.favoritesCount)
}

/**
 * Shows the sign-in form or who is signed in. When the control that had focus is hidden by the
 * change, focus goes to its counterpart in the same place: Sign in → Sign out and back.
 */
function renderAccount(): void {
  const signedIn = state.userId !== undefined
  const focusedPart = signedIn ? elements.signIn : elements.signedIn
  const focusWasInHiddenPart = focusedPart.contains(document.activeElement)
  elements.signIn.hidden = signedIn
  elements.signedIn.hidden = !signedIn
  elements.signedInAs.textContent = signedIn ? `Signed in as user ${state.userId}` : ''
  if (focusWasInHiddenPart) {
    ;(signedIn ? elements.signOut : elements.signInButton).focus()
  }
  // Cards drawn before the change show whether their favorite can be changed.
  for (const card of cards.values()) {
    card.refresh()
  }
}

/** One product's card: built once, then updated with each answer. */
interface ProductCard {
  readonly root: HTMLLIElement
  /** Shows `product` (name, price, stock) and the user's state of it. */
  update(product: PageProduct): void
  /** Shows the user's state again (signed in or not, favorite or not) with the same product. */
  refresh(): void
  /** Moves focus to the card: to its heading, from which Tab goes on to its buttons. */
  focus(): void
}

function createCard(first: PageProduct): ProductCard {
  let product = first
  const id = product.product_id
  // Focusable from script only: where focus goes after "Load more" brings this card.
  const name = h('h3', { 'tabindex': '-1', 'data-focus-key': `name-${id}` })
  const price = h('p', { class: 'price' })
  const stock = h('span', { class: 'stock' })
  // Short words on screen; the product's name, visually hidden, makes each button's name unique
  // ("Add Ceramic Coffee Mug to cart") for screen readers and voice control.
  const add = h('button', { 'type': 'button', 'class': 'add', 'data-focus-key': `add-${id}` })
  const heart = h('button', { 'type': 'button', 'class': 'favorite secondary', 'data-focus-key': `favorite-${id}` })
  // A write of this card waiting for its answer: its button ignores clicks meanwhile.
  let adding = false
  let toggling = false
  // The user is read at click time: a card drawn before a sign-in finished must still work after it.
  add.addEventListener('click', () => {
    if (adding) {
      return
    }
    if (product.inventory === 0) {
      showToast(`${product.product_name} is out of stock.`)
    } else if (state.userId === undefined) {
      showToast('Sign in to add to your cart.')
    } else {
      adding = true
      refresh()
      void addToCart(product).finally(() => {
        adding = false
        refresh()
      })
    }
  })
  heart.addEventListener('click', () => {
    if (toggling || isBusy(heart)) {
      return
    }
    if (state.userId === undefined) {
      showToast('Sign in to keep favorites.')
    } else {
      toggling = true
      void toggleFavorite(product, refresh).finally(() => {
        toggling = false
        refresh()
      })
    }
  })
  const refresh = (): void => {
    const favorite = state.favorites?.has(id) === true
    const productName = product.product_name
    add.replaceChildren('Add', visuallyHidden(` ${productName}`), ' to cart')
    heart.replaceChildren(
      h('span', { 'aria-hidden': 'true' }, favorite ? '♥ ' : '♡ '),
      ...(favorite ? ['Remove', visuallyHidden(` ${productName}`), ' from favorites'] : ['Add', visuallyHidden(` ${productName}`), ' to favorites']),
    )
    heart.classList.toggle('is-favorite', favorite)
    setBusy(add, adding || product.inventory === 0)
    setBusy(heart, toggling || (state.userId !== undefined && state.favorites === undefined))
  }
  const root = h('li', { 'class': 'product', 'data-product-id': String(id) }, name, price, stock, h('div', { class: 'product-actions' }, add, heart))
  return {
    root,
    update: (next) => {
      product = next
      name.textContent = product.product_name
      price.hidden = product.price_cents === undefined
      price.textContent = product.price_cents === undefined ? '' : formatPrice(product.price_cents)
      const badge = stockBadge(product.inventory)
      stock.className = `stock ${badge.className}`
      stock.textContent = badge.text
      refresh()
    },
    refresh,
    focus: () => {
      name.focus()
    },
  }
}

function visuallyHidden(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text)
}

/**
 * Marks a button unavailable with `aria-disabled` rather than `disabled`: a disabled button loses
 * focus, which would throw a keyboard user back to the top of the page. Its click handler checks
 * {@link isBusy} instead.
 */
function setBusy(button: HTMLButtonElement, busy: boolean): void {
  if (busy) {
    button.setAttribute('aria-disabled', 'true')
  } else {
    button.removeAttribute('aria-disabled')
  }
}

function isBusy(button: HTMLButtonElement): boolean {
  return button.getAttribute('aria-disabled') === 'true'
}

function stockBadge(inventory: number | null): { text: string; className: string } {
  if (inventory === null) {
    return { text: 'Stock unavailable', className: 'stock-unknown' }
  }
  if (inventory === 0) {
    return { text: 'Out of stock', className: 'stock-out' }
  }
  if (inventory <= LOW_STOCK) {
    return { text: `Low stock: ${inventory} left`, className: 'stock-low' }
  }
  return { text: 'In stock', className: 'stock-in' }
}

/** A price in US dollars as the page's English shows it: `$1,234.50` (without `Intl`: see format.ts). */
function formatPrice(cents: number): string {
  return `$${groupThousands(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`
}

/**
 * Adds one unit, showing the new count at once. A new line raises the counter (it counts lines);
 * on failure the counter goes back and a message says why. One idempotency key per click, so the
 * BFF's retries cannot add twice. Once the last write is answered, the page is fetched again: the
 * counts become the cart's own instead of a guess, and stock may have moved.
 */
async function addToCart(product: PageProduct): Promise<void> {
  const isNewLine = state.cart !== undefined && !state.cart.has(product.product_id)
  const before = state.cartCount
  if (isNewLine && state.cartCount !== null) {
    state.cartCount++
    state.cart?.add(product.product_id)
  }
  renderCounters()
  pendingWrites++
  let added = false
  try {
    await api('POST', '/cart/items', { product_id: product.product_id, quantity: 1 }, { 'idempotency-key': crypto.randomUUID() })
    added = true
    showToast(`Added ${product.product_name} to your cart.`)
  } catch (error) {
    state.cartCount = before
    if (isNewLine) {
      state.cart?.delete(product.product_id)
    }
    renderCounters()
    showToast(`Could not add ${product.product_name}: ${error instanceof ApiError ? error.message : 'the connection failed'}.`)
  } finally {
    pendingWrites--
  }
  if (added && pendingWrites === 0) {
    void refreshPage()
  }
}

/** Fetches the products shown again in the background; a failure keeps what is shown (the next load reports it). */
async function refreshPage(): Promise<void> {
  try {
    const [answers, lists] = await Promise.all([readShown(), loadLists()])
    if (pendingWrites > 0) {
      // A write started meanwhile: this answer may predate it, and would undo what it shows.
      return
    }
    accept(answers, lists)
    render()
  } catch {
    // Nothing to do: the products shown are still the last good answer.
  }
}

/**
 * Marks or unmarks a favorite, showing the change at once (`redraw` shows it on the card) and
 * undoing it if the write fails.
 */
async function toggleFavorite(product: PageProduct, redraw: () => void): Promise<void> {
  const favorites = state.favorites
  if (favorites === undefined) {
    return
  }
  const wasFavorite = favorites.has(product.product_id)
  const apply = (favorite: boolean): void => {
    if (favorite) {
      favorites.add(product.product_id)
    } else {
      favorites.delete(product.product_id)
    }
    if (state.favoritesCount !== null) {
      state.favoritesCount += favorite ? 1 : -1
    }
    redraw()
    renderCounters()
  }
  apply(!wasFavorite)
  pendingWrites++
  try {
    await api(wasFavorite ? 'DELETE' : 'PUT', `/favorites/${product.product_id}`)
  } catch (error) {
    apply(wasFavorite)
    showToast(`Could not update favorites: ${error instanceof ApiError ? error.message : 'the connection failed'}.`)
  } finally {
    pendingWrites--
  }
}

async function signIn(userId: number): Promise<void> {
  try {
    await api('POST', '/auth/login', { user_id: userId })
    await loadUser()
    await loadPage()
  } catch (error) {
    showToast(`Sign-in failed: ${error instanceof ApiError ? error.message : 'the connection failed'}.`)
  }
}

async function signOut(): Promise<void> {
  try {
    await api('POST', '/auth/logout')
  } finally {
    state.userId = undefined
    renderAccount()
    await loadPage()
  }
}

function showToast(message: string): void {
  window.clearTimeout(toastTimer)
  elements.toast.textContent = message
  elements.toast.hidden = false
  toastTimer = window.setTimeout(() => {
    elements.toast.hidden = true
  }, 5000)
}

void start()
