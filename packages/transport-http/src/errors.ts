import { SwitchyardError, type SwitchyardErrorOptions } from "@switchyard/api";

/** Thrown by `client.json()` when the reply status is not 2xx; `body` holds the start of the reply. */
export class HttpStatusError extends SwitchyardError {
  static override readonly CODE = "HTTP_STATUS";
  declare readonly code: "HTTP_STATUS";
  readonly status: number;
  readonly body: string;
  constructor(message: string, options: SwitchyardErrorOptions & { status: number; body: string }) {
    super(HttpStatusError.CODE, message, options);
    this.name = "HttpStatusError";
    this.status = options.status;
    this.body = options.body;
  }
}

/** Thrown by requests made after `client.close()`. */
export class ClientClosedError extends SwitchyardError {
  static override readonly CODE = "CLIENT_CLOSED";
  declare readonly code: "CLIENT_CLOSED";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(ClientClosedError.CODE, message, options);
    this.name = "ClientClosedError";
  }
}
