/** Tests run against the TypeScript sources (no build needed), as native ESM. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: {
    '^@ggufkit/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@ggufkit/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/spec-tests/**/*.test.ts', '<rootDir>/examples/**/*.test.ts', '<rootDir>/docs/**/*.test.ts'],
  testTimeout: 120000,
};
