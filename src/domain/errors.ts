/**
 * One coded error type for the whole product. `message` is the Chinese text shown to people;
 * `code` is stable for programs and tests; `details` carries structured context (never secrets).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
