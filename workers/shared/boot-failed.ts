/**
 * A worker's boot failed. The worker throws it while booting and answers the page with
 * its {@link BootFailure} (data: a class does not survive structured cloning); the page
 * rebuilds it from that answer. One class on both sides, for one kind of failure.
 *
 * @internal
 */
import type { BootFailure } from './protocol.js';

export class BootFailed extends Error {
  constructor(readonly failure: BootFailure) {
    super(failure.message);
  }
}
