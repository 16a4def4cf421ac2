export interface SignApiKeyInput {
  key: string;
  /** Header name; default `authorization` with `Bearer `. */
  header?: string;
  id?: string;
  idHeader?: string;
}

/** Headers carrying an API key. */
export function signApiKey(input: SignApiKeyInput): Record<string, string> {
  const header = (input.header ?? 'authorization').toLowerCase();
  const headers: Record<string, string> = { [header]: header === 'authorization' ? `Bearer ${input.key}` : input.key };
  if (input.idHeader && input.id) headers[input.idHeader.toLowerCase()] = input.id;
  return headers;
}
