// The one error type UI code sees from the backend. Every command rejects
// with `{ code, message, field? }` (docs/ipc.md); this class keeps that
// shape so callers decide what to show by `code` and place the message by
// `field`, never by matching message text.

/** Mirrors the Rust `ErrorCode` enum. */
export type ErrorCode =
  "Invalid" | "NotFound" | "Offline" | "Throttled" | "AuthExpired" | "Forbidden" | "Internal";

/**
 * Form fields a refusal may concern (camelCase, as the engine names them):
 * the update form's, and the remediation playbook's `user` and `steps`.
 */
export type ErrorField =
  "status" | "classification" | "determination" | "assignedTo" | "comment" | "user" | "steps";

const CODES: readonly ErrorCode[] = [
  "Invalid",
  "NotFound",
  "Offline",
  "Throttled",
  "AuthExpired",
  "Forbidden",
  "Internal",
];

/** A command's refusal, with the engine's words for a person. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly field: ErrorField | null;

  constructor(code: ErrorCode, message: string, field: ErrorField | null = null) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.field = field;
  }

  /**
   * Turns whatever `invoke` rejected with into a BackendError. A rejection
   * that is not the documented shape (a plain string from Tauri itself,
   * e.g. "command not allowed") becomes `Internal` with that text.
   */
  static from(raw: unknown): BackendError {
    if (raw instanceof BackendError) return raw;
    if (raw && typeof raw === "object") {
      const o = raw as Record<string, unknown>;
      const code = CODES.includes(o.code as ErrorCode) ? (o.code as ErrorCode) : "Internal";
      const message = typeof o.message === "string" ? o.message : "Something went wrong.";
      const field = typeof o.field === "string" ? (o.field as ErrorField) : null;
      return new BackendError(code, message, field);
    }
    if (typeof raw === "string") return new BackendError("Internal", raw);
    return new BackendError("Internal", "Something went wrong.");
  }
}

/** A short "what to do next" for a code, shown after the engine's message. */
export function nextStep(code: ErrorCode): string {
  switch (code) {
    case "Offline":
      return "Graph cannot be reached; the app retries on the next sync.";
    case "Throttled":
      return "Microsoft is throttling requests; try again in a minute.";
    case "AuthExpired":
      return "Sign in again in Settings.";
    case "Forbidden":
      return "Check the GDAP roles for this tenant on Health.";
    case "NotFound":
      return "It may have been removed; refresh the list.";
    default:
      return "";
  }
}
