/** A scoreboard for unit tests: the reader and one writer per row, over one buffer. */
import { BoardView, boardBytes } from '../../../../src/worker/scoreboard/layout';
import { RowWriter } from '../../../../src/worker/scoreboard/row-writer';
import { Scoreboard } from '../../../../src/worker/scoreboard/scoreboard';

export interface TestBoard {
  readonly board: Scoreboard;
  /** The writer of each row, as its app thread holds it (its own view of the buffer). */
  readonly rows: RowWriter[];
}

export function testBoard(threads: number): TestBoard {
  const buffer = new SharedArrayBuffer(boardBytes(threads));
  return {
    board: new Scoreboard(buffer),
    rows: Array.from({ length: threads }, (_, r) => new RowWriter(new BoardView(buffer), r)),
  };
}
