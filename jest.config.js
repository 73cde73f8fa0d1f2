/** Three projects: unit (no I/O), int (a lib against real Postgres and Redis), e2e (the app in-process). */
const swc = [
  '@swc/jest',
  {
    swcrc: false,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
  },
];

const common = {
  transform: { '^.+\\.ts$': swc, '^.+/node_modules/.+\\.m?js$': swc },
  // ESM-only dependencies (Node 20 loads them natively; jest needs them compiled).
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@siyu/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@siyu/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

const withServices = {
  ...common,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/worker-env.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/worker-db.ts'],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/setup/unit-env.ts'],
    },
    { ...withServices, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...withServices, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
