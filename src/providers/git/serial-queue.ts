/**
 * A promise-chain mutex: tasks given to `run` execute one at a time, in call order. Activities
 * run concurrently in one worker process; this keeps two of them off the same clone.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
