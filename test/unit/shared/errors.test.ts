import { expect } from 'chai';
import { ErrorCodes, ErrorStatus, TsuwsgiError, isTsuwsgiError } from '../../../src/shared/errors';
import { ExitCode } from '../../../src/shared/exit-codes';
import { exitCodeFor } from '../../../src/cli/exit-code-for';

describe('error catalogue', () => {
  it('recognises its errors by code, also after crossing a structured clone', () => {
    const err = new TsuwsgiError('E_SOCKET_IN_USE', '/tmp/a.sock: in use');
    expect(isTsuwsgiError(err)).to.equal(true);
    expect(isTsuwsgiError(structuredClone({ code: err.code, message: err.message }))).to.equal(true);
    expect(isTsuwsgiError(new Error('x'))).to.equal(false);
    expect(isTsuwsgiError({ code: 'ENOENT', message: 'x' })).to.equal(false);
  });

  it('gives request errors the status the issue names', () => {
    expect(ErrorStatus.E_PROTO_TOO_BIG).to.equal(431);
    expect(ErrorStatus.E_PROTO_BODY_TOO_BIG).to.equal(413);
  });

  it('uses distinct exit codes and maps each error family onto one', () => {
    const values = Object.values(ExitCode);
    expect(new Set(values).size).to.equal(values.length);
    expect(exitCodeFor('E_CONFIG_BAD_VALUE')).to.equal(ExitCode.Config);
    expect(exitCodeFor('E_SOCKET_IN_USE')).to.equal(ExitCode.SocketError);
    expect(exitCodeFor('E_APP_LOAD')).to.equal(ExitCode.AppLoadError);
    for (const code of ['E_EMPEROR_NOT_ROOT', 'E_EMPEROR_UNSAFE_DIR', 'E_EMPEROR_UNSAFE_TEMPLATE'] as const) expect(exitCodeFor(code), code).to.equal(ExitCode.BootError);
    expect(exitCodeFor('E_EMPEROR_DIR')).to.equal(ExitCode.Config);
    for (const code of Object.keys(ErrorCodes)) expect(code).to.match(/^E_[A-Z_]+$/);
  });
});
