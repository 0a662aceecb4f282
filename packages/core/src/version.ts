/** The version of `@posepool/core`, written into every saved model. */
export const POSEPOOL_VERSION = '0.1.0';
