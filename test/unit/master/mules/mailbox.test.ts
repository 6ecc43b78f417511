import { expect } from 'chai';
import { MULE_WINDOW, MuleMailbox } from '../../../../src/master/mules/mailbox';

function filled(n: number): MuleMailbox {
  const box = new MuleMailbox();
  for (let i = 1; i <= n; i++) box.accept(`m${i}`, 1000);
  return box;
}

describe('master/mules/mailbox: one mule id\'s messages in the master', () => {
  it('refuses past the limit, counting queued and in-flight messages alike', () => {
    const box = new MuleMailbox();
    expect(box.accept('a', 2)).to.equal(true);
    box.take(1);
    expect(box.accept('b', 2)).to.equal(true);
    expect(box.accept('c', 2)).to.equal(false);
    expect(box.accepted).to.equal(2);
    box.taken();
    box.done();
    expect(box.accept('c', 2)).to.equal(true);
  });

  it('hands out at most the delivery window, in order', () => {
    const box = filled(MULE_WINDOW + 3);
    expect(box.deliverable()).to.equal(MULE_WINDOW);
    expect(box.take(MULE_WINDOW)).to.deep.equal(Array.from({ length: MULE_WINDOW }, (_, i) => `m${i + 1}`));
    expect(box.deliverable()).to.equal(0);
    box.taken();
    box.done();
    expect(box.deliverable()).to.equal(1);
    expect(box.take(1)).to.deep.equal([`m${MULE_WINDOW + 1}`]);
  });

  it('taken and done go in turn: a done without a message in hand, or a second taken, is refused', () => {
    const box = filled(2);
    expect(box.taken()).to.equal(false);
    expect(box.done()).to.equal(false);
    box.take(2);
    expect(box.done()).to.equal(false);
    expect(box.taken()).to.equal(true);
    expect(box.taken()).to.equal(false);
    expect(box.done()).to.equal(true);
    expect(box.handled).to.equal(1);
  });

  it('a process that ends with nothing in hand loses nothing: every unhandled message goes back to the front', () => {
    const box = filled(5);
    box.take(3);
    box.taken();
    box.done(); // m1 handled; m2 and m3 sent but not started (or sent to a mule already dead)
    expect(box.processEnded()).to.equal(0);
    expect(box.take(10)).to.deep.equal(['m2', 'm3', 'm4', 'm5']);
  });

  it('a process that ends with a message in hand loses that one (never handled twice), the rest go back', () => {
    const box = filled(5);
    box.take(3);
    box.taken();
    box.done();
    box.taken(); // m2 in hand, m3 not started
    expect(box.processEnded()).to.equal(1);
    expect(box.lost).to.equal(1);
    expect(box.take(10)).to.deep.equal(['m3', 'm4', 'm5']);
  });

  it('drop() at the master\'s exit counts what was never handled', () => {
    const box = filled(4);
    box.take(2);
    expect(box.drop()).to.equal(4);
    expect(box.queuedCount + box.inFlightCount).to.equal(0);
  });
});
