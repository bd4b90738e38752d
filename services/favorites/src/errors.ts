import { defineErrors } from '@storefront/service-kit'

/** The favorites service's error codes. */
export const favoritesErrors = defineErrors({
  UNEXPECTED_BODY: ['FAVORITES_ERR_UNEXPECTED_BODY', 'This route takes no body', 400],
})
