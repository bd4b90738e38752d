const FIRST = ['Ceramic Coffee Mug', 'Wool Beanie', 'Canvas Tote Bag', 'Steel Water Bottle', 'Linen Apron', 'Oak Cutting Board', 'Cotton Socks', 'Leather Notebook', 'Glass Teapot', 'Bamboo Toothbrush']
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Everyday', 'Handmade', 'Large', 'Light', 'Organic', 'Recycled', 'Travel', 'Vintage', 'Weatherproof']
const NOUNS = ['Backpack', 'Blanket', 'Bowl', 'Candle', 'Chair', 'Jacket', 'Kettle', 'Lamp', 'Mug', 'Pillow', 'Planter', 'Scarf', 'Sneakers', 'Towel', 'Umbrella', 'Wallet']

/** A product's name: ten hand-picked ones, then deterministic combinations, numbered past the list. */
export function productName(id: number): string {
  const first = FIRST[id - 1]
  if (first !== undefined) {
    return first
  }
  const index = id - FIRST.length - 1
  const adjective = ADJECTIVES[index % ADJECTIVES.length]!
  const noun = NOUNS[Math.floor(index / ADJECTIVES.length) % NOUNS.length]!
  return `${adjective} ${noun} #${id}`
}

/** A product's price in cents, deterministic per id: 4.99 to 203.99. */
export function productPriceCents(id: number): number {
  return 499 + ((id * 7919) % 200) * 100
}
