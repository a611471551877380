/** Unit tests sit beside their module (x.test.ts); cross-tier and integration tests live in test/.
 * Integration tests run the built gateway from dist/ (npm test builds first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/gateway', '<rootDir>/dispatch-workers', '<rootDir>/shared', '<rootDir>/config', '<rootDir>/bench', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 60000,
};
