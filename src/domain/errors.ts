/**
 * Every error code the product raises, in one place, with the HTTP status it maps to. A code not
 * listed here fails the typecheck, so a typo can't create a code nobody handles. The Chinese text
 * stays where the error is raised (it names the task, the file, the row); the code is for programs.
 */
export const ERROR_STATUS = {
  // Input that can be corrected and sent again.
  USAGE: 400,
  BAD_DATE: 400,
  BAD_FILE: 400,
  BAD_FORMAT: 400,
  BAD_PARAMS: 400,
  BAD_RECORD: 400,
  BAD_SERVER_SEED: 400,
  DUPLICATE_ID: 400,
  EMPTY_ENTROPY: 400,
  NO_REASON: 400,
  REASON_TOO_LONG: 400,
  UNKNOWN_KIND: 400,
  UNKNOWN_JOB: 400,
  IMPORT_REJECTED: 400,
  NOT_DRY_RUN: 400,
  BACKUP_TARGET: 400,
  IMPORT_TOO_LARGE: 413,
  // The caller may not do this (a forwarded card, the orderer witnessing his own draw).
  NOT_YOURS: 403,
  NOT_ON_TEAM: 403,
  WITNESS_IS_ORDERER: 403,
  // Something named that does not exist.
  NOT_FOUND: 404,
  DRAW_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  ITEM_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  NO_DATABASE: 404,
  // The state does not allow it (already done, cancelled, nothing to draw from).
  DRAW_EXISTS: 409,
  DRAW_CANCELLED: 409,
  DRAW_REVEALED: 409,
  DRAW_NOT_REVEALED: 409,
  NO_PENDING_DRAW: 409,
  NOT_CORRECTABLE: 409,
  NOT_SELECTED: 409,
  ILLEGAL_TRANSITION: 409,
  COMMITMENT_MISMATCH: 409,
  EMPTY_POOL: 409,
  INSUFFICIENT_ELIGIBLE_INSPECTORS: 409,
  NO_REPLACEMENT: 409,
  // This installation is not set up for it.
  BAD_CONFIG: 500,
  UNSUPPORTED_DATABASE: 500,
  NO_DATABASE_FILE: 500,
  NO_LARK: 500,
  BACKUP_BROKEN: 500,
  THREAD_START: 500,
  // The database stayed locked by another writer past the wait (nothing was written).
  BUSY: 503,
  // Feishu refused or could not be reached (the cause is in the message).
  CONTACT_LOOKUP_FAILED: 502,
  BOT_INFO: 502,
} as const satisfies Record<string, 400 | 403 | 404 | 409 | 413 | 500 | 502 | 503>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * One coded error type for the whole product. `message` is the Chinese text shown to people;
 * `code` is stable for programs and tests; `details` carries structured context (never secrets).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
