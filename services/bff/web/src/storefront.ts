import { ApiError, type PageProduct, type ProductsPage, api, h, required } from './api.js'

/** At or below this many units a product is "low in stock". */
const LOW_STOCK = 10
/** Pauses between automatic retries of a failed page, in ms; the last repeats. */
const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000]
/** Names of the optional parts as a shopper would say them. */
const PART_NAMES: Readonly<Record<string, string>> = { inventory: 'stock levels', cart: 'your cart', favorites: 'your favorites' }

/** What the page knows: the last good answer, and the signed-in user's lists. */
interface State {
  userId: number | undefined
  page: ProductsPage | undefined
  /** Product ids in the cart, when known (signed in and cart answered). */
  cart: Set<number> | undefined
  /** Product ids marked as favorites, when known. */
  favorites: Set<number> | undefined
  cartCount: number | null
  favoritesCount: number | null
}

const state: State = { userId: undefined, page: undefined, cart: undefined, favorites: undefined, cartCount: null, favoritesCount: null }

const elements = {
  grid: required('#product-grid', HTMLUListElement),
  loading: required('#loading', HTMLElement),
  banner: required('#degraded-banner', HTMLElement),
  error: required('#page-error', HTMLElement),
  errorDetail: required('#page-error-detail', HTMLElement),
  retryNote: required('#page-error-retry-note', HTMLElement),
  retry: required('#retry', HTMLButtonElement),
  signIn: required('#sign-in', HTMLFormElement),
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
    retryAttempt = 0
    void loadPage()
  })
  await loadUser()
  await loadPage()
}

async function loadUser(): Promise<void> {
  try {
    state.userId = (await api<{ user_id: number }>('GET', '/auth/me')).user_id
  } catch {
    // 401: anonymous. Anything else: shown as anonymous too; the page itself reports outages.
    state.userId = undefined
  }
  renderAccount()
}

/** Fetches the page; on 502/503/504 or a network failure shows the error with a retry, and retries with backoff. */
async function loadPage(): Promise<void> {
  window.clearTimeout(retryTimer)
  elements.retry.disabled = true
  try {
    const [page] = await Promise.all([api<ProductsPage>('GET', '/products/all'), loadLists()])
    retryAttempt = 0
    state.page = page
    state.cartCount = page.cart_items
    state.favoritesCount = page.favorite_items
    elements.error.hidden = true
    render()
  } catch (error) {
    showPageError(error)
  } finally {
    elements.retry.disabled = false
    elements.loading.hidden = true
  }
}

/** The signed-in user's cart and favorites, so each card can show its own state. Optional: failures leave them unknown. */
async function loadLists(): Promise<void> {
  if (state.userId === undefined) {
    state.cart = undefined
    state.favorites = undefined
    return
  }
  const [cart, favorites] = await Promise.allSettled([
    api<{ product_id: number }[]>('GET', '/cart'),
    api<{ product_id: number }[]>('GET', '/favorites'),
  ])
  state.cart = cart.status === 'fulfilled' ? new Set(cart.value.map((line) => line.product_id)) : undefined
  state.favorites = favorites.status === 'fulfilled' ? new Set(favorites.value.map((item) => item.product_id)) : undefined
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
  const page = state.page
  if (page === undefined) {
    return
  }
  const missing = page.degraded.map((part) => PART_NAMES[part] ?? part)
  elements.banner.hidden = missing.length === 0
  elements.banner.textContent = missing.length === 0 ? '' : `Some information is unavailable right now: ${missing.join(', ')}. The rest of the page is up to date.`
  elements.grid.replaceChildren(...page.products.map(renderProduct))
}

function renderCounters(): void {
  elements.cartCount.textContent = state.cartCount === null ? '–' : String(state.cartCount)
  elements.favoritesCount.textContent = state.favoritesCount === null ? '–' : String(state.favoritesCount)
}

function renderAccount(): void {
  const signedIn = state.userId !== undefined
  elements.signIn.hidden = signedIn
  elements.signedIn.hidden = !signedIn
  elements.signedInAs.textContent = signedIn ? `Signed in as user ${state.userId}` : ''
}

function renderProduct(product: PageProduct): HTMLLIElement {
  const stock = stockBadge(product.inventory)
  const signedIn = state.userId !== undefined
  const favorite = state.favorites?.has(product.product_id) === true
  const add = h('button', { 'type': 'button', 'class': 'add', 'disabled': product.inventory === 0 }, 'Add to cart')
  const heart = h('button', {
    'type': 'button',
    'class': 'favorite secondary',
    'aria-pressed': String(favorite),
    'aria-label': `Favorite ${product.product_name}`,
    'disabled': signedIn && state.favorites === undefined,
  }, favorite ? '♥ Favorite' : '♡ Favorite')
  // The user is read at click time: a card drawn before a sign-in finished must still work after it.
  add.addEventListener('click', () => {
    if (state.userId !== undefined) {
      void addToCart(product, add)
    } else {
      showToast('Sign in to add to your cart.')
    }
  })
  heart.addEventListener('click', () => {
    if (state.userId !== undefined) {
      void toggleFavorite(product, heart)
    } else {
      showToast('Sign in to keep favorites.')
    }
  })
  return h('li', { 'class': 'product', 'data-product-id': String(product.product_id) },
    h('h3', {}, product.product_name),
    ...(product.price_cents === undefined ? [] : [h('p', { class: 'price' }, formatPrice(product.price_cents))]),
    h('span', { class: `stock ${stock.className}` }, stock.text),
    h('div', { class: 'product-actions' }, add, heart),
  )
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

function formatPrice(cents: number): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(cents / 100)
}

/**
 * Adds one unit, showing the new count at once. A new line raises the counter (it counts lines);
 * on failure the counter goes back and a message says why. One idempotency key per click, so the
 * BFF's retries cannot add twice.
 */
async function addToCart(product: PageProduct, button: HTMLButtonElement): Promise<void> {
  const isNewLine = state.cart !== undefined && !state.cart.has(product.product_id)
  const before = state.cartCount
  if (isNewLine && state.cartCount !== null) {
    state.cartCount++
    state.cart?.add(product.product_id)
  }
  renderCounters()
  button.disabled = true
  try {
    await api('POST', '/cart/items', { product_id: product.product_id, quantity: 1 }, { 'idempotency-key': crypto.randomUUID() })
    showToast(`Added ${product.product_name} to your cart.`)
  } catch (error) {
    state.cartCount = before
    if (isNewLine) {
      state.cart?.delete(product.product_id)
    }
    renderCounters()
    showToast(`Could not add ${product.product_name}: ${error instanceof ApiError ? error.message : 'the connection failed'}.`)
  } finally {
    button.disabled = false
  }
}

/** Marks or unmarks a favorite, showing the change at once and undoing it if the write fails. */
async function toggleFavorite(product: PageProduct, button: HTMLButtonElement): Promise<void> {
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
    button.setAttribute('aria-pressed', String(favorite))
    button.textContent = favorite ? '♥ Favorite' : '♡ Favorite'
    renderCounters()
  }
  apply(!wasFavorite)
  button.disabled = true
  try {
    await api(wasFavorite ? 'DELETE' : 'PUT', `/favorites/${product.product_id}`)
  } catch (error) {
    apply(wasFavorite)
    showToast(`Could not update favorites: ${error instanceof ApiError ? error.message : 'the connection failed'}.`)
  } finally {
    button.disabled = false
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
