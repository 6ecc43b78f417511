// The bench is plain CommonJS JavaScript (bench/lib/*.js); the tests load it with require.
import path from 'node:path';

const LIB = path.resolve(__dirname, '../../../bench/lib');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function benchLib(name: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(LIB, `${name}.js`));
}
