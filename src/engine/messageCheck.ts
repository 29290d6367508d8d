// What the worker checks before it acts on a host message: a malformed one (not an object, an
// unknown method, parameters of the wrong type) is answered with an error, or dropped when it has no
// usable id, instead of throwing inside the message handler (which would kill the worker) or
// reaching a native call with values it does not expect. Host-safe: no native imports.
import type { HostMessage } from '../classifier/protocol';
import { documentProblem, textsProblem } from '../classifier/classifier';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isOptional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const isTensor = (value: unknown) =>
  isObject(value) && value.data instanceof BigInt64Array && Array.isArray(value.dims) && value.dims.every((dim) => Number.isSafeInteger(dim) && (dim as number) >= 0);

/** The parameter checks of each method; a method not listed here is unknown. */
const paramChecks: Record<HostMessage['type'], (message: Record<string, unknown>) => string | undefined> = {
  load: (m) => (typeof m.modelDir !== 'string' ? 'modelDir must be a string' : !isOptional(m.options, isObject) ? 'options must be an object' : undefined),
  classify: (m) => textsProblem(m.texts),
  explain: (m) => textsProblem(m.texts),
  classifyDocument: (m) => documentProblem(m.text, m.unit),
  infer: (m) =>
    !isObject(m.feeds) || !Object.values(m.feeds).every(isTensor)
      ? 'feeds must map input names to int64 tensors'
      : !isOptional(m.outputNames, isStringArray)
        ? 'outputNames must be an array of strings'
        : undefined,
  signature: () => undefined,
  evaluate: (m) => (typeof m.datasetPath !== 'string' || typeof m.predictionsFile !== 'string' ? 'datasetPath and predictionsFile must be strings' : undefined),
  checkModel: (m) => (typeof m.modelDir !== 'string' ? 'modelDir must be a string' : !isOptional(m.variant, (v) => typeof v === 'string') ? 'variant must be a string' : undefined),
  status: () => undefined,
  shutdown: () => undefined,
  cancel: () => undefined,
};

/** The message as a HostMessage, or why it is not one (with its id when it has a usable one). */
export function checkHostMessage(message: unknown): { ok: HostMessage } | { problem: string; id?: number } {
  if (!isObject(message)) return { problem: `expected a message object, got ${message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message}` };
  const id = Number.isSafeInteger(message.id) ? (message.id as number) : undefined;
  if (id === undefined) return { problem: 'the message has no integer id' };
  const type = message.type;
  if (typeof type !== 'string' || !Object.hasOwn(paramChecks, type)) return { problem: `unknown method ${JSON.stringify(type) ?? String(type)}`, id };
  const problem = paramChecks[type as HostMessage['type']](message);
  return problem ? { problem: `${type}: ${problem}`, id } : { ok: message as unknown as HostMessage };
}
