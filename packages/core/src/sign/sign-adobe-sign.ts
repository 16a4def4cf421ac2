export interface SignAdobeSignInput {
  /** The client id of the Acrobat Sign API application that created the webhook. */
  clientId: string;
}

/** The header Adobe Acrobat Sign sends with every request (there is no signature to make). */
export function signAdobeSign(input: SignAdobeSignInput): Record<string, string> {
  return { 'x-adobesign-clientid': input.clientId };
}
