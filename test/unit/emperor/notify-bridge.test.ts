import { expect } from 'chai';
import { parseNotifyMessage } from '../../../src/emperor/notify-bridge';

describe('emperor/notify-bridge (a vassal\'s sd_notify lines)', () => {
  const token = '0123456789abcdef0123456789abcdef';

  it('reads the token, the state changes in order and the status', () => {
    expect(parseNotifyMessage(`${token}\n--pid=42\nRELOADING=1\nMONOTONIC_USEC=1\nSTATUS=graceful reload (SIGHUP)\n`)).to.deep.equal({
      token, reports: ['reloading'], status: 'graceful reload (SIGHUP)',
    });
    expect(parseNotifyMessage(`${token}\n--pid=42\nREADY=1\nSTATUS=2 worker(s) accepting\n`)?.reports).to.deep.equal(['ready']);
    expect(parseNotifyMessage(`${token}\nSTOPPING=1\n`)).to.deep.equal({ token, reports: ['stopping'], status: undefined });
  });

  it('drops anything without a well-formed token', () => {
    expect(parseNotifyMessage('READY=1\n')).to.equal(undefined);
    expect(parseNotifyMessage(`${token.slice(1)}\nREADY=1\n`)).to.equal(undefined);
    expect(parseNotifyMessage('')).to.equal(undefined);
  });
});
