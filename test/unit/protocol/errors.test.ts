/** The protocol's error codes: its own, spread into the shared catalogue unchanged. */
import { expect } from 'chai';
import { ProtocolErrorCodes, ProtocolErrorStatus } from '../../../src/protocol';
import { ErrorCodes, ErrorStatus } from '../../../src/shared/errors';

describe('protocol/errors', () => {
  it('every protocol code is in the catalogue with the same meaning and status', () => {
    for (const [code, meaning] of Object.entries(ProtocolErrorCodes)) {
      expect(code).to.match(/^E_PROTO_[A-Z_]+$/);
      expect(ErrorCodes).to.have.property(code, meaning);
      expect(ErrorStatus[code as keyof typeof ErrorStatus]).to.equal(ProtocolErrorStatus[code as keyof typeof ProtocolErrorStatus]);
    }
  });

  it('the codes answered are answered 431 (head), 413 (body) or 400', () => {
    expect(ProtocolErrorStatus).to.deep.equal({
      E_PROTO_TOO_BIG: 431, E_PROTO_BODY_TOO_BIG: 413, E_PROTO_BAD_LENGTH: 400, E_PROTO_NO_METHOD: 400, E_PROTO_BAD_VAR: 400,
    });
  });
});
