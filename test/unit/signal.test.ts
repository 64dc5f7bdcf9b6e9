/** Cancellation: the hot path's AbortController, with the same contract where the path relies on it. */
import { Cancellation } from '../../src/horizon/signal.js';

test('aborts once: every listener hears it once, in order, with the reason set before they run', () => {
  const cancellation = new Cancellation();
  const heard: string[] = [];
  cancellation.addEventListener('abort', () => heard.push(`a:${String(cancellation.reason)}`));
  cancellation.addEventListener('abort', () => heard.push(`b:${cancellation.aborted}`));
  cancellation.abort('gone');
  cancellation.abort('again');
  expect(heard).toEqual(['a:gone', 'b:true']);
  expect(cancellation.reason).toBe('gone');
});

test('a removed listener is not called; one added after the abort never is', () => {
  const cancellation = new Cancellation();
  const calls: string[] = [];
  const removed = () => calls.push('removed');
  cancellation.addEventListener('abort', removed);
  cancellation.removeEventListener('abort', removed);
  cancellation.abort();
  cancellation.addEventListener('abort', () => calls.push('late'));
  expect(calls).toEqual([]);
});

test('the default reason is an AbortError, as AbortController gives', () => {
  const cancellation = new Cancellation();
  cancellation.abort();
  expect(cancellation.reason).toBeInstanceOf(DOMException);
  expect((cancellation.reason as DOMException).name).toBe('AbortError');
});

test('a throwing listener does not keep the others from hearing of the abort', () => {
  const cancellation = new Cancellation();
  const heard: number[] = [];
  cancellation.addEventListener('abort', () => {
    throw new Error('listener bug');
  });
  cancellation.addEventListener('abort', () => heard.push(2));
  expect(() => cancellation.abort()).not.toThrow();
  expect(heard).toEqual([2]);
});
