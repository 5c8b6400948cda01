/** Why heapsleuth could not attach, or lost the target: a message for people and what kind of failure it was. */
export type AttachFailure =
  | 'no-such-process'
  | 'not-node'
  | 'permission-denied'
  | 'inspector-disabled'
  | 'port-taken'
  | 'remote-inspector'
  | 'no-inspector'
  | 'target-gone'
  | 'output'
  | 'protocol';

export class AttachError extends Error {
  override name = 'AttachError';
  constructor(
    readonly failure: AttachFailure,
    message: string,
  ) {
    super(message);
  }
}
