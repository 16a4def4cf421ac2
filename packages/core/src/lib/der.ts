/** A DER element: tag, where its content starts and ends, and where the whole element ends. */
export interface DerNode {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads one DER element at `offset`; throws on anything malformed or out of bounds. */
export function readDer(buf: Uint8Array, offset: number, limit = buf.length): DerNode {
  if (offset + 2 > limit) throw new Error('DER: truncated');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  if (pos + len > limit) throw new Error('DER: truncated content');
  return { tag, start: offset, contentStart: pos, end: pos + len };
}

/** The child elements of a constructed element. */
export function derChildren(buf: Uint8Array, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let at = node.contentStart;
  while (at < node.end) {
    const child = readDer(buf, at, node.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** DER OBJECT IDENTIFIER content -> dotted string. */
export function derOid(buf: Uint8Array, node: DerNode): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = node.contentStart; i < node.end; i++) {
    const b = buf[i]!;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}
