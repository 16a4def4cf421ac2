// CommonJS consumer: `require` resolves the package's CJS declarations.
import core = require('@hookguard/core');

export const verifier = core.createVerifier({ scheme: core.stripe({ secret: 'whsec_x' }) });
export const status: number = core.WEBHOOK_ERROR_STATUS.SIGNATURE_MISMATCH;
