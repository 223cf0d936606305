/**
 * A time bound of a verdict query (`since=`, `until=`): an RFC 3339 time of a real date, or a
 * look-back of more than zero in the one duration grammar (15m, 1h30m, 1.5h, 7d). The broker
 * reads it, its OpenAPI document states it, and the web view keeps a bound from its URL only when
 * it is one, so the three never disagree on what a bound is.
 */
import { POSITIVE_DURATION_PATTERN } from '../runtime/duration.js';
import { RFC3339_MAX_LENGTH, RFC3339_PATTERN } from './rfc3339.js';

/** The pattern of the OpenAPI document and of isTimeBound. */
export const TIME_BOUND_PATTERN = `(${RFC3339_PATTERN})|(${POSITIVE_DURATION_PATTERN})`;
/** A look-back is held to the length of a time. */
export const TIME_BOUND_MAX_LENGTH = RFC3339_MAX_LENGTH;

const BOUND = new RegExp(TIME_BOUND_PATTERN);

/** Whether `text` is a time bound the broker takes. */
export function isTimeBound(text: string): boolean {
  return text.length <= TIME_BOUND_MAX_LENGTH && BOUND.test(text);
}
