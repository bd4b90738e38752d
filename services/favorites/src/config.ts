import { baseEnv, checkBaseEnv, databaseEnv, readEnv } from '@storefront/service-kit'

/** Every variable the favorites service reads: the kit's common ones, nothing of its own. */
export const favoritesEnvSchema = {
  ...baseEnv(8002),
  ...databaseEnv(),
}

/** The favorites service's validated, frozen environment. */
export type FavoritesEnv = ReturnType<typeof readFavoritesEnv>

/** Reads the environment once; a bad value throws naming the variable. */
export function readFavoritesEnv(env: Readonly<Record<string, string | undefined>> = process.env) {
  return readEnv(favoritesEnvSchema, env, checkBaseEnv)
}
