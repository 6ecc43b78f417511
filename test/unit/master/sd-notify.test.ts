import { expect } from 'chai';
import { sdNotifyArgs } from '../../../src/master/sd-notify';

describe('sd_notify messages', () => {
  it('READY=1 names the master as main pid and carries a status line', () => {
    expect(sdNotifyArgs('ready', 1234, '2 worker(s) accepting', 5n)).to.deep.equal(['--pid=1234', 'READY=1', 'STATUS=2 worker(s) accepting']);
  });
  it('RELOADING=1 carries the monotonic time Type=notify-reload asks for', () => {
    expect(sdNotifyArgs('reloading', 1234, undefined, 987654321n)).to.deep.equal(['--pid=1234', 'RELOADING=1', 'MONOTONIC_USEC=987654321', 'STATUS=reloading']);
  });
  it('STOPPING=1', () => {
    expect(sdNotifyArgs('stopping', 7, 'draining', 0n)).to.deep.equal(['--pid=7', 'STOPPING=1', 'STATUS=draining']);
  });
});
