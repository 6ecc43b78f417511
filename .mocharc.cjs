// mocha's options (TypeScript through tsx). `.only` never passes; under CI (the CI variable set,
// as .ci/run does) neither does a pending test: there every test must run (test/support/skip.ts).
const ci = process.env.CI;
const underCi = ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';

module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  timeout: 30000,
  exit: false,
  require: ['test/support/hooks.ts'],
  'forbid-only': true,
  'forbid-pending': underCi,
};
