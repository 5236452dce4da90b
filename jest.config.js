/**
 * Jest runs TypeScript through ts-jest (transpile only; `npm run typecheck` type-checks).
 * SOFTHSM2_CONF is set here, in the main process, so that native PKCS#11 code in every worker sees the
 * project's own token directory (a test file's process.env is a sandbox copy native code cannot read).
 */
const path = require('node:path');
process.env.SOFTHSM2_CONF = path.join(__dirname, 'test', 'fixtures', 'softhsm', 'softhsm2.conf');
process.env.TZ = 'UTC';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
