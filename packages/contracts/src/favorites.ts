import { Type } from 'typebox'

import { Id } from './ids.js'

/** One favorite of a user. */
export const Favorite = Type.Object({ product_id: Id })

/** `GET /users/{id}/favorites`: `[]` when there are none. */
export const FavoriteList = Type.Array(Favorite)
