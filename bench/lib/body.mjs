// Deterministic JSON webhook bodies of an exact byte size, shaped like a real event (nested
// object, line items, numbers, strings), so JSON.parse costs what it costs in production.

export const SIZES = [256, 1024, 16 * 1024, 256 * 1024, 1024 * 1024];

export function sizeLabel(bytes) {
  if (bytes >= 1024 * 1024) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function lineItem(i) {
  return {
    id: `il_${String(i).padStart(12, '0')}`,
    amount: 1000 + ((i * 7919) % 50000),
    currency: 'usd',
    description: `Seat license ${i} for workspace ${i % 97}`,
    quantity: 1 + (i % 5),
    period: { start: 1700000000 + i * 60, end: 1702592000 + i * 60 },
    taxable: i % 2 === 0,
  };
}

/** A JSON event of exactly `size` bytes (UTF-8, ASCII only); `id` is the event id in the body. */
export function makeBody(size, id = 'evt_bench_0001') {
  const event = { id, type: 'invoice.paid', created: 1700000000, livemode: false, data: { object: { customer: 'cus_000001', lines: [] } }, note: '' };
  const base = Buffer.byteLength(JSON.stringify(event));
  if (base > size) throw new Error(`size ${size} is below the smallest event (${base} bytes)`);
  const lines = event.data.object.lines;
  // Add whole line items while they fit (each adds its JSON and a comma, the first no comma),
  // then pad `note` to the exact size. Bounded by size.
  let length = base;
  for (let i = 0; i < size; i++) {
    const item = lineItem(i);
    const added = Buffer.byteLength(JSON.stringify(item)) + (i === 0 ? 0 : 1);
    if (length + added > size) break;
    lines.push(item);
    length += added;
  }
  event.note = 'x'.repeat(size - Buffer.byteLength(JSON.stringify(event)));
  const body = Buffer.from(JSON.stringify(event));
  if (body.length !== size) throw new Error(`body is ${body.length} bytes, wanted ${size}`);
  return body;
}
