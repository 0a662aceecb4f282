// Generated from bias.wat by `pnpm --filter @posepool/core run wasm`; do not edit.
/** The assembled bias.wat, base64. */
export const BIAS_WASM = 'AGFzbQEAAAABCQFgBX9/f39/AAIQAQR0ZmpzBm1lbW9yeQIAAAMCAQAHCwEHYWRkUm93cwAACmwBagEDfyAEQQJ0IQUgASADIAVsaiEGAkADQCABIAZPDQFBACEHAkADQCAHIAVPDQEgACAHaiABIAdq/QAEACACIAdq/QAEAP3kAf0LBAAgB0EQaiEHDAALCyABIAVqIQEgACAFaiEADAALCws=';
