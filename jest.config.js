// Two tiers, both run by `npm test`. unit: pure modules (the ticket machine, calendars, validation, rendering, console
// stores), no server at all, `npm run test:unit`. integration: everything under tests/ else, against a real PostgreSQL
// and a real Temporal that its global setup brings up once per run. Jest runs TypeScript as native ESM (swc strips types).
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }];
const common = { testEnvironment: 'node', extensionsToTreatAsEsm: ['.ts'], transform: { '^.+\\.ts$': swc } };

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts', '<rootDir>/workflow-definitions/**/*.test.ts', '<rootDir>/api/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/unit/'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
  ],
  testTimeout: 120000,
  maxWorkers: 1,
};
