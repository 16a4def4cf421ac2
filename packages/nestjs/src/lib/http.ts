/** The parts of a Node ServerResponse (Express) or Fastify reply (`.raw`) used to watch the connection. */
export interface NodeResponseLike {
  statusCode?: number;
  writableFinished?: boolean;
  /** Node >= 18: the connection is gone (response ended or client hung up). */
  closed?: boolean;
  destroyed?: boolean;
  once?(event: 'close', listener: () => void): unknown;
  setHeader?(name: string, value: string): unknown;
  raw?: NodeResponseLike;
}

export function nodeResponse(res: unknown): NodeResponseLike | undefined {
  if (typeof res !== 'object' || res === null) return undefined;
  const r = res as NodeResponseLike;
  return r.raw && typeof r.raw.once === 'function' ? r.raw : typeof r.once === 'function' ? r : undefined;
}
