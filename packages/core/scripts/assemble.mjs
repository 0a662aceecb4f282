import initWabt from 'wabt';

/**
 * Assembles WebAssembly text (with SIMD) into a validated binary.
 *
 * @param {string} name - the file name, for error messages
 * @param {string} text - the .wat source
 * @returns {Promise<Uint8Array>} the module's bytes
 */
export async function assemble(name, text) {
  const wabt = await initWabt();
  const module = wabt.parseWat(name, text, { simd: true, sat_float_to_int: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
