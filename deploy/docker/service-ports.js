// Each process the image can run, by the name SERVICE takes, with the port its config defaults to.
// deploy/test/image-scripts.test.ts keeps this table in step with STOREFRONT_SERVICES and with each
// service's PORT default.

/** @type {Readonly<Record<string, number>>} */
export const SERVICE_PORTS = Object.freeze({
  products: 8000,
  inventory: 8001,
  favorites: 8002,
  cart: 8003,
  bff: 9000,
})
