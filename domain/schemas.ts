/** zod building blocks shared by the event schemas. */
import { z } from 'zod';
import { DNS1123_LABEL_MAX_LENGTH, DNS1123_LABEL_PATTERN } from './names';
import { isTwoDecimalRatio } from './quantity';

export const dnsLabelSchema = z
  .string()
  .max(DNS1123_LABEL_MAX_LENGTH)
  .regex(new RegExp(`^${DNS1123_LABEL_PATTERN}$`), 'must be an RFC 1123 label');

/** Non-negative safe integer: millicores or bytes. */
export const quantitySchema = z.int().min(0);

export const overcommitRatioSchema = z
  .number()
  .min(1)
  .max(10)
  .refine(isTwoDecimalRatio, 'must have at most 2 decimals');

export const nonEmptyStringSchema = z.string().min(1);
