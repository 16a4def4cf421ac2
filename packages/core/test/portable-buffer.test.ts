// HmacKey's one-shot path writes header text with Buffer's undocumented latin1Write, whose length
// default is not portable: Node's is what is left after the offset, workerd's (nodejs_compat) the
// whole buffer, refused at any offset past 0 — so every HMAC-signed delivery failed on workerd
// (test/runtimes.test.ts shows it on the real workerd). Here, on Node, the same HMACs must come out
// under workerd's contract for latin1Write and on a Buffer without the method at all.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hmacKey, writeLatin1 } from '../dist/esm/lib/hmac.js';

type Latin1Write = (this: Buffer, text: string, offset?: number, length?: number) => number;
const proto = Buffer.prototype as unknown as { latin1Write?: Latin1Write };
const nodeLatin1Write = proto.latin1Write!;

/** workerd's latin1Write: length defaults to the whole buffer and must fit after the offset. */
function workerdLatin1Write(this: Buffer, text: string, offset = 0, length = this.byteLength): number {
  if (offset < 0 || offset > this.byteLength) throw new RangeError(`offset ${offset} out of range`);
  if (length < 0 || length > this.byteLength - offset) throw new RangeError(`length ${length} out of range (<= ${this.byteLength - offset})`);
  return nodeLatin1Write.call(this, text, offset, length);
}

const secret = Buffer.from('portable-buffer-secret');
// Below the one-shot limit (32 KiB), where latin1Write is used; header text up to U+00FF.
const CASES = [0, 1, 300, 4000, 5000, 20_000].flatMap((size) =>
  (['sha1', 'sha256', 'sha512'] as const).map((algorithm) => ({ algorithm, size, prefix: `msg_\u00e9${size}.1700000000.`, suffix: size % 2 ? undefined : '\u00ff.end' })),
);

function expected(algorithm: string, prefix: string, body: Buffer, suffix: string | undefined): Buffer {
  const h = createHmac(algorithm, secret).update(prefix, 'latin1').update(body);
  if (suffix) h.update(suffix, 'latin1');
  return h.digest();
}

describe('HmacKey on a Buffer that is not Node 20\'s', () => {
  test("under workerd's latin1Write contract (length checked against what is left): the same HMACs as createHmac", () => {
    proto.latin1Write = workerdLatin1Write;
    try {
      const key = hmacKey(secret);
      for (const { algorithm, size, prefix, suffix } of CASES) {
        const body = Buffer.alloc(size, 0x61);
        assert.deepEqual(key.mac(algorithm, prefix, body, suffix), expected(algorithm, prefix, body, suffix), `${algorithm} ${size}`);
      }
    } finally {
      proto.latin1Write = nodeLatin1Write;
    }
  });

  test('without latin1Write (the module loaded on such a Buffer): buf.write, the same HMACs as createHmac', async () => {
    // A fresh instance of the module, loaded while the method is missing: it looks for it once, when
    // it loads. Node's own buf.write calls latin1Write, so the method is back before the HMACs.
    delete proto.latin1Write;
    let fresh: typeof import('../dist/esm/lib/hmac.js');
    try {
      fresh = (await import(new URL('../dist/esm/lib/hmac.js?no-latin1Write', import.meta.url).href)) as typeof import('../dist/esm/lib/hmac.js');
    } finally {
      proto.latin1Write = nodeLatin1Write;
    }
    {
      const key = fresh.hmacKey(secret);
      for (const { algorithm, size, prefix, suffix } of CASES) {
        const body = Buffer.alloc(size, 0x62);
        assert.deepEqual(key.mac(algorithm, prefix, body, suffix), expected(algorithm, prefix, body, suffix), `${algorithm} ${size}`);
      }
      const into = Buffer.alloc(8);
      assert.equal(fresh.writeLatin1(into, '\u00e9\u00ff', 6), 2);
      assert.deepEqual([...into.subarray(6)], [0xe9, 0xff]);
    }
  });

  test('writeLatin1 writes at the offset and returns the count, at the end of the buffer too', () => {
    const into = Buffer.alloc(4096);
    assert.equal(writeLatin1(into, 'ab\u00e9', 4093), 3);
    assert.deepEqual([...into.subarray(4093)], [0x61, 0x62, 0xe9]);
  });
});
