// How the API answers Temporal's failures: an engine that is away, late or over its limits is a 503 to retry, never a 500.
import { toProblem } from '../../api/temporal-errors';

const grpc = (code: number, message: string) => Object.assign(new Error('Failed to start Workflow'), { cause: Object.assign(new Error(message), { code }) });

it.each([
  [14, '14 UNAVAILABLE: No connection established', 'unreachable'],
  [4, '4 DEADLINE_EXCEEDED: Deadline exceeded', 'unreachable'],
  [1, '1 CANCELLED: Call cancelled', 'unreachable'],
  [8, '8 RESOURCE_EXHAUSTED: namespace rate limit exceeded', 'over its request limits'],
])('should answer gRPC code %i with 503 and Retry-After', (code, message, says) => {
  const problem = toProblem(grpc(code, message));
  expect(problem).toMatchObject({ status: 503, code: 'service-unavailable' });
  expect(problem?.message).toContain(says);
  expect(problem?.headers['Retry-After']).toBeDefined();
});

it('should leave other failures to the error handler', () => {
  expect(toProblem(grpc(13, '13 INTERNAL: boom'))).toBeUndefined();
  expect(toProblem(new Error('plain'))).toBeUndefined();
});
