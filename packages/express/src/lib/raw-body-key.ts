/**
 * Where keepRawBody leaves the bytes on the request. A registered symbol, so two copies of this
 * package (or a future version) still find each other's bytes, and no enumerable field is added.
 */
export const RAW_BODY_KEY: unique symbol = Symbol.for('hookguard.rawBody') as never;
